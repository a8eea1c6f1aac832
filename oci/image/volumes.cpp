// Anonymous volumes for the image's Volumes, as dockerd makes them for `docker run` without a
// -v on the path: a fresh directory per volume (here under the container's directory, so it
// goes with the container) filled with what the image has at that path ("copy-up"), with the
// image directory's owner and mode, bind-mounted read-write even under --read-only.
#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "bundle_parts.hpp"
#include "fs.hpp"
#include "skiff/oci/image/bundle.hpp"

namespace skiff::image {
namespace {

size_t depth(const std::string& path) { return size_t(std::count(path.begin(), path.end(), '/')); }

// The image's directory at `path`, resolved inside the root like the runtime resolves mount
// destinations; an empty Fd when the image has nothing there.
Result<fs::Fd> open_image_dir(int root, const std::string& path) {
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    fs::Fd fd(int(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how)));
    if (fd) return fd;
    if (errno == ENOENT) return fs::Fd{};
    if (errno == ENOTDIR) return Error{"cannot mount volume over existing file, file exists " + path, ENOTDIR};
    return errno_error("open " + path + " in the image");
}

} // namespace

Result<void> add_anonymous_volumes(oci::Spec& spec, const std::string& dir, const std::string& rootfs,
                                   const std::vector<std::string>& volumes) {
    if (volumes.empty()) return ok();
    fs::Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return errno_error("open " + rootfs);
    const std::string vdir = dir + "/volumes";
    for (size_t i = 0; i < volumes.size(); ++i) {
        const std::string& dest = volumes[i];
        if (dest.empty() || dest[0] != '/') return Error{"image volume \"" + dest + "\": not an absolute path"};
        std::string clean = clean_abs(dest);
        if (clean == "/") return Error{"image volume \"" + dest + "\": cannot be the root"};
        bool covered = false;
        for (const auto& m : spec.mounts) covered |= m.destination == clean;
        if (covered) continue;

        if (::mkdir(vdir.c_str(), 0700) < 0 && errno != EEXIST) return errno_error("mkdir " + vdir);
        std::string source = vdir + "/" + std::to_string(i);
        if (::mkdir(source.c_str(), 0755) < 0) return errno_error("mkdir " + source);
        auto image_dir = SKIFF_TRY(open_image_dir(root.get(), clean));
        if (image_dir) {
            fs::Fd dst(::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!dst) return errno_error("open " + source);
            auto copied = fs::copy_tree(image_dir.get(), dst.get());
            if (!copied) return copied.error().wrap("volume " + clean + ": copy the image's content");
            struct stat st;
            if (::fstat(image_dir.get(), &st) < 0) return errno_error("stat " + clean + " in the image");
            if (::fchown(dst.get(), st.st_uid, st.st_gid) < 0) return errno_error("chown " + source);
            if (::fchmod(dst.get(), st.st_mode & 07777) < 0) return errno_error("chmod " + source);
        }
        spec.mounts.push_back({clean, "bind", source, {"rbind", "rprivate", "rw"}, {}, {}});
    }
    return ok();
}

void sort_mounts(oci::Spec& spec, size_t first) {
    if (first >= spec.mounts.size()) return;
    std::stable_sort(spec.mounts.begin() + ptrdiff_t(first), spec.mounts.end(),
                     [](const oci::Mount& a, const oci::Mount& b) { return depth(a.destination) < depth(b.destination); });
}

} // namespace skiff::image
