// Container roots: an overlay mount of the shared unpacked layers, or a merged copy of them
// where overlayfs cannot be used.
#include <cerrno>
#include <cstring>
#include <memory>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/unpack.hpp"

namespace skiff::image {
namespace {

// ---- overlay ----

// The new mount API lifts mount(2)'s one-page limit on options (deep images). Raw syscalls:
// glibc's <sys/mount.h> wrappers clash with <linux/mount.h>.
constexpr unsigned kFsconfigSetString = 1, kFsconfigCmdCreate = 6, kMoveMountFEmptyPath = 4;

Result<void> mount_overlay_fsconfig(const std::vector<std::string>& lowers, const std::string& upper,
                                    const std::string& work, const std::string& target) {
    fs::Fd fsfd(int(::syscall(SYS_fsopen, "overlay", 1 /* FSOPEN_CLOEXEC */)));
    if (!fsfd) return errno_error("fsopen overlay");
    auto set = [&](const char* key, const std::string& val) -> Result<void> {
        if (::syscall(SYS_fsconfig, fsfd.get(), kFsconfigSetString, key, val.c_str(), 0) < 0)
            return errno_error(std::string("fsconfig overlay ") + key + "=" + val);
        return ok();
    };
    for (const auto& l : lowers) SKIFF_CHECK(set("lowerdir+", l));
    SKIFF_CHECK(set("upperdir", upper));
    SKIFF_CHECK(set("workdir", work));
    if (::syscall(SYS_fsconfig, fsfd.get(), kFsconfigCmdCreate, nullptr, nullptr, 0) < 0)
        return errno_error("fsconfig overlay create");
    fs::Fd mnt(int(::syscall(SYS_fsmount, fsfd.get(), 1 /* FSMOUNT_CLOEXEC */, 0)));
    if (!mnt) return errno_error("fsmount overlay");
    if (::syscall(SYS_move_mount, mnt.get(), "", AT_FDCWD, target.c_str(), kMoveMountFEmptyPath) < 0)
        return errno_error("move_mount overlay on " + target);
    return ok();
}

Result<void> mount_overlay(const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work, const std::string& target) {
    std::string opts = "lowerdir=";
    for (size_t i = 0; i < lowers.size(); ++i) opts += (i ? ":" : "") + lowers[i];
    opts += ",upperdir=" + upper + ",workdir=" + work;
    if (opts.size() < 4000) {
        if (::mount("overlay", target.c_str(), "overlay", 0, opts.c_str()) < 0)
            return errno_error("mount overlay on " + target);
        return ok();
    }
    return mount_overlay_fsconfig(lowers, upper, work, target);
}

// A mount point differs from its parent in device; comparing with statfs' type alone would be
// fooled by a store that itself lives on overlayfs.
bool is_mounted(const std::string& path) {
    struct stat a, b;
    if (::lstat(path.c_str(), &a) < 0 || ::lstat(fs::dirname(path).c_str(), &b) < 0) return false;
    return a.st_dev != b.st_dev;
}

// ---- copy fallback ----

Result<void> copy_xattrs(int srcdir, int dstdir, const std::string& name, bool is_link) {
    std::string sp = "/proc/self/fd/" + std::to_string(srcdir) + "/" + name;
    std::string dp = "/proc/self/fd/" + std::to_string(dstdir) + "/" + name;
    char list[8192];
    ssize_t n = ::llistxattr(sp.c_str(), list, sizeof list);
    if (n <= 0) return ok();
    for (ssize_t off = 0; off < n; off += ssize_t(std::strlen(list + off)) + 1) {
        std::string key = list + off;
        if (key.rfind("trusted.overlay.", 0) == 0) continue;
        char val[65536];
        ssize_t vn = ::lgetxattr(sp.c_str(), key.c_str(), val, sizeof val);
        if (vn < 0) continue;
        if (::lsetxattr(dp.c_str(), key.c_str(), val, size_t(vn), 0) < 0 && errno != EOPNOTSUPP &&
            !(is_link && errno == EPERM))
            return errno_error("setxattr " + key + " on " + name);
    }
    return ok();
}

Result<void> copy_metadata(int srcdir, int dstdir, const std::string& name, const struct stat& st) {
    bool link = S_ISLNK(st.st_mode);
    if (::fchownat(dstdir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return errno_error("chown " + name);
    if (!link && ::fchmodat(dstdir, name.c_str(), st.st_mode & 07777, 0) < 0)
        return errno_error("chmod " + name);
    SKIFF_CHECK(copy_xattrs(srcdir, dstdir, name, link));
    timespec ts[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(dstdir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0)
        return errno_error("set times on " + name);
    return ok();
}

Result<void> copy_file(int srcdir, int dstdir, const std::string& name, const struct stat& st) {
    fs::Fd in(::openat(srcdir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) return errno_error("open " + name);
    fs::Fd out(::openat(dstdir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) return errno_error("create " + name);
    off_t left = st.st_size;
    bool range = true;
    while (left > 0) {
        // copy_file_range refuses some pairs of file systems (an overlay mount to the store's,
        // as when an anonymous volume copies up); sendfile copies between any two files.
        ssize_t n = range ? ::copy_file_range(in.get(), nullptr, out.get(), nullptr, size_t(left), 0)
                          : ::sendfile(out.get(), in.get(), nullptr, size_t(left));
        if (n < 0 && range && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
            range = false;
            continue;
        }
        if (n < 0) return errno_error("copy " + name);
        if (n == 0) break;
        left -= n;
    }
    return ok();
}

std::vector<std::string> entries(int dirfd) {
    std::vector<std::string> out;
    DIR* d = ::fdopendir(::dup(dirfd));
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
    return out;
}

using InodeMap = std::map<std::pair<dev_t, ino_t>, std::pair<int, std::string>>;

// Applies one unpacked layer (overlay format) onto dst: whiteouts delete, opaque directories
// replace, everything else is copied with owner, mode, xattrs and times; hard links within the
// layer stay hard links.
Result<void> apply_layer(int src, int dst, const std::string& rel,
                         std::vector<std::unique_ptr<fs::Fd>>& keep, InodeMap& inodes) {
    for (const auto& name : entries(src)) {
        struct stat st;
        if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            return errno_error("stat " + rel + name);
        struct stat dst_st;
        bool dst_exists = ::fstatat(dst, name.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) == 0;
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) { // whiteout
            SKIFF_CHECK(fs::remove_tree_at(dst, name));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            fs::Fd sdir(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sdir) return errno_error("open " + rel + name);
            char v;
            bool opaque = ::fgetxattr(sdir.get(), "trusted.overlay.opaque", &v, 1) == 1 && v == 'y';
            if (dst_exists && (!S_ISDIR(dst_st.st_mode) || opaque)) {
                SKIFF_CHECK(fs::remove_tree_at(dst, name));
                dst_exists = false;
            }
            if (!dst_exists && ::mkdirat(dst, name.c_str(), 0700) < 0)
                return errno_error("mkdir " + rel + name);
            fs::Fd ddir(::openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!ddir) return errno_error("open " + rel + name);
            SKIFF_CHECK(apply_layer(sdir.get(), ddir.get(), rel + name + "/", keep, inodes));
            SKIFF_CHECK(copy_metadata(src, dst, name, st));
            continue;
        }
        if (dst_exists) SKIFF_CHECK(fs::remove_tree_at(dst, name));
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
            auto it = inodes.find({st.st_dev, st.st_ino});
            if (it != inodes.end()) {
                if (::linkat(it->second.first, it->second.second.c_str(), dst, name.c_str(), 0) == 0)
                    continue;
            } else {
                keep.push_back(std::make_unique<fs::Fd>(::dup(dst)));
                inodes[{st.st_dev, st.st_ino}] = {keep.back()->get(), name};
            }
        }
        if (S_ISREG(st.st_mode)) {
            SKIFF_CHECK(copy_file(src, dst, name, st));
        } else if (S_ISLNK(st.st_mode)) {
            std::vector<char> target(size_t(st.st_size) + 1);
            ssize_t n = ::readlinkat(src, name.c_str(), target.data(), target.size());
            if (n < 0) return errno_error("readlink " + rel + name);
            if (::symlinkat(std::string(target.data(), size_t(n)).c_str(), dst, name.c_str()) < 0)
                return errno_error("symlink " + rel + name);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
            if (::mknodat(dst, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
                return errno_error("mknod " + rel + name);
        } else {
            continue; // sockets
        }
        SKIFF_CHECK(copy_metadata(src, dst, name, st));
    }
    return ok();
}

Result<void> copy_layers(Store& store, const Image& image, const std::string& rootfs) {
    fs::Fd dst(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dst) return errno_error("open " + rootfs);
    for (const auto& id : image.config.diff_ids) {
        std::string lp = store.layer_path(id);
        fs::Fd src(::open(lp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!src) return errno_error("open " + lp);
        std::vector<std::unique_ptr<fs::Fd>> keep;
        InodeMap inodes;
        auto r = apply_layer(src.get(), dst.get(), "/", keep, inodes);
        if (!r) return r.error().wrap("copy layer " + id);
    }
    return ok();
}

} // namespace

Result<void> fs::copy_tree(int src_dir, int dst_dir) {
    std::vector<std::unique_ptr<fs::Fd>> keep;
    InodeMap inodes;
    return apply_layer(src_dir, dst_dir, "/", keep, inodes);
}

Result<ContainerRootfs> create_rootfs(Store& store, const Image& image, const std::string& id,
                                      const RootfsOptions& opts) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..")
        return Error{"container rootfs: invalid id \"" + id + "\""};
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    SKIFF_CHECK(ensure_layers(store, image));
    ContainerRootfs out;
    out.dir = store.containers_dir() + "/" + id;
    out.rootfs = out.dir + "/rootfs";
    if (::mkdir(out.dir.c_str(), 0700) < 0) {
        if (errno == EEXIST) return Error{"container rootfs " + out.dir + ": already exists", EEXIST};
        return errno_error("mkdir " + out.dir);
    }
    auto made = [&]() -> Result<void> {
        // Never empty ("\n" for an image without layers): an empty file is one a crash took
        // (it is not fsynced: a container made just before a crash is as lost as its record,
        // which is not fsynced either), and gc and mount_rootfs treat it so.
        std::string layers = image.config.diff_ids.empty() ? "\n" : "";
        for (const auto& d : image.config.diff_ids) layers += d + "\n";
        fs::Fd fd(::open((out.dir + "/layers").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) return errno_error("create " + out.dir + "/layers");
        SKIFF_CHECK(fs::write_all(fd.get(), layers.data(), layers.size(), out.dir + "/layers"));
        if (::mkdir(out.rootfs.c_str(), 0755) < 0) return errno_error("mkdir " + out.rootfs);
        std::string why;
        if (!opts.force_copy) {
            std::vector<std::string> lowers;
            for (auto it = image.config.diff_ids.rbegin(); it != image.config.diff_ids.rend(); ++it)
                lowers.push_back(store.layer_path(*it));
            if (lowers.empty()) {
                SKIFF_CHECK(fs::mkdir_p(out.dir + "/empty"));
                lowers.push_back(out.dir + "/empty");
            }
            SKIFF_CHECK(fs::mkdir_p(out.dir + "/upper", 0755));
            SKIFF_CHECK(fs::mkdir_p(out.dir + "/work", 0700));
            auto m = mount_overlay(lowers, out.dir + "/upper", out.dir + "/work", out.rootfs);
            if (m) {
                out.overlay = true;
                return ok();
            }
            // Copy instead (no overlayfs in this kernel, or the store's file system cannot be
            // an overlay upper).
            SKIFF_CHECK(fs::remove_tree(out.dir + "/upper"));
            SKIFF_CHECK(fs::remove_tree(out.dir + "/work"));
            SKIFF_CHECK(fs::remove_tree(out.dir + "/empty"));
        }
        return copy_layers(store, image, out.rootfs);
    }();
    if (!made) {
        ::umount2(out.rootfs.c_str(), MNT_DETACH);
        (void)fs::remove_tree(out.dir);
        return made.error().wrap("container rootfs " + id);
    }
    return out;
}

Result<void> mount_rootfs(Store& store, const std::string& id) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    std::string dir = store.containers_dir() + "/" + id;
    if (!fs::exists(dir + "/upper") || is_mounted(dir + "/rootfs")) return ok();
    auto text = SKIFF_TRY(fs::read_file(dir + "/layers"));
    if (text.empty())
        return Error{"container rootfs " + id + ": " + dir +
                     "/layers is empty (lost in a crash); remove the container"};
    std::vector<std::string> lowers;
    size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string d = text.substr(pos, nl - pos);
        if (!d.empty()) {
            SKIFF_CHECK(validate_digest(d));
            lowers.insert(lowers.begin(), store.layer_path(d));
        }
        pos = nl + 1;
    }
    if (lowers.empty()) lowers.push_back(dir + "/empty");
    return mount_overlay(lowers, dir + "/upper", dir + "/work", dir + "/rootfs");
}

Result<void> remove_rootfs(Store& store, const std::string& id) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..")
        return Error{"container rootfs: invalid id \"" + id + "\""};
    std::string dir = store.containers_dir() + "/" + id;
    if (!fs::exists(dir)) return ok();
    std::string rootfs = dir + "/rootfs";
    while (is_mounted(rootfs))
        if (::umount2(rootfs.c_str(), MNT_DETACH) < 0) return errno_error("umount " + rootfs);
    return fs::remove_tree(dir);
}

} // namespace skiff::image
