// Layer extraction. libarchive only parses; every file-system change is made here relative to
// directory fds resolved with openat2, so the host's tree is unreachable whatever the tar says.
#include "skiff/oci/image/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <vector>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";

int openat2_beneath(int dirfd, const std::string& path, int flags) {
    open_how how{};
    how.flags = uint64_t(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    return int(::syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &how, sizeof how));
}

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

// Feeds the decompressed tar stream to the tar parser and hashes it on the way: that hash is
// the layer's diff id.
struct Stream {
    archive* outer = nullptr;
    Sha256 hash;
    std::vector<char> buf = std::vector<char>(1 << 20);
    bool eof = false;
    std::string error;
};

la_ssize_t stream_read(archive* inner, void* ctx, const void** out) {
    auto* s = static_cast<Stream*>(ctx);
    if (s->eof) return 0;
    la_ssize_t n = archive_read_data(s->outer, s->buf.data(), s->buf.size());
    if (n < 0) {
        s->error = archive_error_string(s->outer) ? archive_error_string(s->outer) : "read error";
        archive_set_error(inner, EIO, "%s", s->error.c_str());
        return -1;
    }
    if (n == 0) s->eof = true;
    s->hash.update(s->buf.data(), size_t(n));
    *out = s->buf.data();
    return n;
}

// "a/./b/" -> {"a","b"}; rejects absolute paths and "..".
Result<std::vector<std::string>> split_entry_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return Error{"absolute path"};
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        auto slash = path.find('/', pos);
        if (slash == std::string::npos) slash = path.size();
        std::string c = path.substr(pos, slash - pos);
        if (c == "..") return Error{"path leaves the layer (\"..\")"};
        if (!c.empty() && c != ".") parts.push_back(std::move(c));
        pos = slash + 1;
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += (i ? "/" : "") + parts[i];
    return s;
}

bool xattr_allowed(const std::string& name) {
    // A layer must not forge overlayfs' own metadata (opaque, redirect, metacopy).
    if (name.rfind("trusted.overlay.", 0) == 0) return false;
    return name.rfind("user.", 0) == 0 || name.rfind("security.", 0) == 0 ||
           name.rfind("trusted.", 0) == 0 || name.rfind("system.posix_acl_", 0) == 0;
}

class Extractor {
public:
    Extractor(int root, const UnpackLimits& limits) : root_(root), limits_(limits) {}

    Result<void> entry(archive* a, archive_entry* e);
    Result<void> finish();
    uint64_t bytes() const { return bytes_; }

private:
    Result<int> parent_dir(const std::vector<std::string>& parts);
    Result<void> clear(int dirfd, const std::string& name, bool keep_dir);
    Result<void> set_metadata(int dirfd, const std::string& name, int fd, archive_entry* e,
                              bool is_link);
    Result<void> write_data(archive* a, int fd, archive_entry* e);

    int root_;
    UnpackLimits limits_;
    uint64_t bytes_ = 0;
    std::string cached_parent_;
    fs::Fd cached_fd_;
    struct DirTimes {
        std::string path;
        timespec times[2];
    };
    std::vector<DirTimes> dirs_;
};

// Opens (creating missing directories) the directory holding the entry, beneath the root and
// without following any symlink.
Result<int> Extractor::parent_dir(const std::vector<std::string>& parts) {
    std::string parent = join(parts, parts.size() - 1);
    if (cached_fd_ && parent == cached_parent_) return cached_fd_.get();
    int fd = openat2_beneath(root_, parent, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
        for (size_t i = 1; i < parts.size(); ++i) {
            std::string sub = join(parts, i);
            fs::Fd d(openat2_beneath(root_, sub, O_PATH | O_DIRECTORY));
            if (d) continue;
            if (errno != ENOENT) break;
            fs::Fd up(openat2_beneath(root_, join(parts, i - 1), O_PATH | O_DIRECTORY));
            if (!up) break;
            if (::mkdirat(up.get(), parts[i - 1].c_str(), 0755) < 0 && errno != EEXIST)
                return errno_error("mkdir " + sub);
        }
        fd = openat2_beneath(root_, parent, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) {
        if (errno == ELOOP || errno == EXDEV)
            return Error{"parent \"" + parent + "\" is or goes through a symlink", ELOOP};
        if (errno == ENOTDIR) return Error{"parent \"" + parent + "\" is not a directory", ENOTDIR};
        return errno_error("open parent \"" + parent + "\"");
    }
    cached_fd_.reset(fd);
    cached_parent_ = parent;
    return fd;
}

// Removes whatever is at dirfd/name so a new entry can take its place; a directory stays when
// the new entry is a directory too (tar semantics: later entries update it).
Result<void> Extractor::clear(int dirfd, const std::string& name, bool keep_dir) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) return ok();
        return errno_error("stat " + name);
    }
    if (S_ISDIR(st.st_mode)) {
        if (keep_dir) return ok();
        cached_fd_.reset(); // the cached parent may lie inside the removed tree
        cached_parent_.clear();
        return fs::remove_tree_at(dirfd, name);
    }
    if (::unlinkat(dirfd, name.c_str(), 0) < 0) return errno_error("unlink " + name);
    return ok();
}

Result<void> Extractor::set_metadata(int dirfd, const std::string& name, int fd, archive_entry* e,
                                     bool is_link) {
    uid_t uid = uid_t(archive_entry_uid(e));
    gid_t gid = gid_t(archive_entry_gid(e));
    int r = fd >= 0 ? ::fchown(fd, uid, gid)
                    : ::fchownat(dirfd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r < 0) return errno_error("chown " + std::to_string(uid) + ":" + std::to_string(gid));
    if (!is_link) {
        mode_t mode = archive_entry_perm(e) & 07777;
        r = fd >= 0 ? ::fchmod(fd, mode) : ::fchmodat(dirfd, name.c_str(), mode, 0);
        if (r < 0) return errno_error("chmod");
    }
    // After chown: chown clears security.capability.
    archive_entry_xattr_reset(e);
    const char* xname;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
        std::string n = xname;
        if (!xattr_allowed(n)) continue;
        if (fd >= 0) {
            r = ::fsetxattr(fd, xname, value, size, 0);
        } else {
            std::string p = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
            r = ::lsetxattr(p.c_str(), xname, value, size, 0);
        }
        if (r < 0 && errno != EOPNOTSUPP && !(is_link && errno == EPERM))
            return errno_error("setxattr " + n);
    }
    timespec ts[2] = {{archive_entry_atime(e), archive_entry_atime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    if (!archive_entry_atime_is_set(e)) ts[0] = ts[1];
    r = fd >= 0 ? ::futimens(fd, ts) : ::utimensat(dirfd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    if (r < 0) return errno_error("set times");
    return ok();
}

Result<void> Extractor::write_data(archive* a, int fd, archive_entry* e) {
    const void* buf;
    size_t size;
    la_int64_t offset;
    while (true) {
        int r = archive_read_data_block(a, &buf, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) return Error{std::string("read data: ") + archive_error_string(a)};
        bytes_ += size;
        if (bytes_ > limits_.max_bytes)
            return Error{"layer exceeds the size limit of " + std::to_string(limits_.max_bytes) +
                         " bytes"};
        auto p = static_cast<const char*>(buf);
        while (size > 0) {
            ssize_t n = ::pwrite(fd, p, size, offset);
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno_error("write");
            }
            p += n;
            size -= size_t(n);
            offset += n;
        }
    }
    // Sparse files end in a hole the blocks above did not write.
    if (::ftruncate(fd, archive_entry_size(e)) < 0) return errno_error("truncate");
    return ok();
}

Result<void> Extractor::entry(archive* a, archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    if (!raw) raw = archive_entry_pathname_utf8(e);
    if (!raw) return Error{"entry without a path"};
    auto parts = SKIFF_TRY(split_entry_path(raw));
    if (parts.empty()) return ok(); // the layer root itself ("./")
    if (archive_entry_size(e) > 0 && uint64_t(archive_entry_size(e)) > limits_.max_bytes)
        return Error{"file of " + std::to_string(archive_entry_size(e)) +
                     " bytes exceeds the layer size limit of " + std::to_string(limits_.max_bytes)};
    const std::string& name = parts.back();
    int dirfd = SKIFF_TRY(parent_dir(parts));

    if (name == kOpaqueMarker) {
        fs::Fd dir(openat2_beneath(root_, join(parts, parts.size() - 1), O_RDONLY | O_DIRECTORY));
        if (!dir) return errno_error("open opaque directory");
        if (::fsetxattr(dir.get(), "trusted.overlay.opaque", "y", 1, 0) < 0)
            return errno_error("mark opaque (setxattr trusted.overlay.opaque)");
        return ok();
    }
    if (name.rfind(kWhiteoutPrefix, 0) == 0) {
        std::string target = name.substr(4);
        if (target.rfind(kWhiteoutPrefix, 0) == 0) return ok(); // aufs metadata (.wh..wh.plnk)
        if (target.empty() || target == "." || target == "..")
            return Error{"invalid whiteout name"};
        SKIFF_CHECK(clear(dirfd, target, false));
        if (::mknodat(dirfd, target.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
            return errno_error("create whiteout (mknod 0:0) for " + target);
        return ok();
    }

    if (const char* hl = archive_entry_hardlink(e)) {
        auto tparts = split_entry_path(hl);
        if (!tparts) return tparts.error().wrap(std::string("hard link target \"") + hl + "\"");
        if (tparts->empty()) return Error{std::string("hard link to the layer root")};
        fs::Fd tdir(openat2_beneath(root_, join(*tparts, tparts->size() - 1), O_PATH | O_DIRECTORY));
        if (!tdir)
            return errno_error(std::string("hard link target \"") + hl + "\"");
        struct stat st;
        if (::fstatat(tdir.get(), tparts->back().c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            return errno_error(std::string("hard link target \"") + hl + "\"");
        if (S_ISDIR(st.st_mode)) return Error{std::string("hard link to directory \"") + hl + "\""};
        if (join(*tparts, tparts->size()) == join(parts, parts.size())) return ok();
        SKIFF_CHECK(clear(dirfd, name, false));
        dirfd = SKIFF_TRY(parent_dir(parts));
        if (::linkat(tdir.get(), tparts->back().c_str(), dirfd, name.c_str(), 0) < 0)
            return errno_error(std::string("link to \"") + hl + "\"");
        return ok();
    }

    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFDIR) {
        SKIFF_CHECK(clear(dirfd, name, true));
        dirfd = SKIFF_TRY(parent_dir(parts));
        if (::mkdirat(dirfd, name.c_str(), 0700) < 0 && errno != EEXIST) return errno_error("mkdir");
        SKIFF_CHECK(set_metadata(dirfd, name, -1, e, false));
        DirTimes dt{join(parts, parts.size()), {}};
        dt.times[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
        dt.times[0] = archive_entry_atime_is_set(e)
                          ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)}
                          : dt.times[1];
        dirs_.push_back(dt);
        return ok();
    }
    SKIFF_CHECK(clear(dirfd, name, false));
    dirfd = SKIFF_TRY(parent_dir(parts));
    switch (type) {
    case AE_IFREG: {
        fs::Fd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                           0600));
        if (!fd) return errno_error("create");
        SKIFF_CHECK(write_data(a, fd.get(), e));
        return set_metadata(dirfd, name, fd.get(), e, false);
    }
    case AE_IFLNK: {
        const char* target = archive_entry_symlink(e);
        if (!target) target = archive_entry_symlink_utf8(e);
        if (!target) return Error{"symlink without a target"};
        if (::symlinkat(target, dirfd, name.c_str()) < 0) return errno_error("symlink");
        return set_metadata(dirfd, name, -1, e, true);
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
        dev_t dev = type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (::mknodat(dirfd, name.c_str(), type | 0600, dev) < 0) return errno_error("mknod");
        return set_metadata(dirfd, name, -1, e, false);
    }
    case AE_IFSOCK:
        return ok(); // sockets are not content
    default:
        return Error{"unknown entry type " + std::to_string(type)};
    }
}

Result<void> Extractor::finish() {
    // Directory times last: creating their entries changed them.
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
        fs::Fd fd(openat2_beneath(root_, it->path, O_RDONLY | O_DIRECTORY));
        if (!fd) continue; // replaced by a later entry
        if (::futimens(fd.get(), it->times) < 0) return errno_error("set times on " + it->path);
    }
    return ok();
}

} // namespace

Result<UnpackStats> unpack_layer(const std::string& archive_path, const std::string& dest,
                                 const std::string& what, const UnpackLimits& limits) {
    if (::mkdir(dest.c_str(), 0755) < 0) return errno_error("mkdir " + dest);
    auto result = [&]() -> Result<UnpackStats> {
        fs::Fd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!root) return errno_error("open " + dest);
        fs::Fd in(::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) return errno_error("open " + archive_path);

        ArchivePtr outer(archive_read_new());
        archive_read_support_filter_all(outer.get());
        archive_read_support_format_raw(outer.get());
        if (archive_read_open_fd(outer.get(), in.get(), 1 << 20) != ARCHIVE_OK)
            return Error{std::string("open archive: ") + archive_error_string(outer.get())};
        archive_entry* raw_entry;
        if (archive_read_next_header(outer.get(), &raw_entry) != ARCHIVE_OK)
            return Error{std::string("read archive: ") + archive_error_string(outer.get())};

        Stream stream;
        stream.outer = outer.get();
        ArchivePtr inner(archive_read_new());
        archive_read_support_format_tar(inner.get());
        archive_read_support_format_empty(inner.get());
        if (archive_read_open(inner.get(), &stream, nullptr, stream_read, nullptr) != ARCHIVE_OK)
            return Error{std::string("not a tar archive: ") + archive_error_string(inner.get())};

        Extractor ex(root.get(), limits);
        UnpackStats st;
        while (true) {
            archive_entry* e;
            int r = archive_read_next_header(inner.get(), &e);
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN)
                return Error{std::string("read tar: ") + archive_error_string(inner.get())};
            if (++st.entries > limits.max_entries)
                return Error{"more than " + std::to_string(limits.max_entries) + " entries"};
            const char* p = archive_entry_pathname(e);
            if (!p) p = archive_entry_pathname_utf8(e);
            auto er = ex.entry(inner.get(), e);
            if (!er) return er.error().wrap(std::string("entry \"") + (p ? p : "?") + "\"");
        }
        SKIFF_CHECK(ex.finish());
        // One syncfs instead of an fsync per file: the layer is renamed into place only once
        // its content is durable.
        if (::syncfs(root.get()) < 0) return errno_error("syncfs " + dest);
        // The diff id covers the whole stream, including the padding after the end marker.
        const void* ignored;
        while (stream_read(inner.get(), &stream, &ignored) > 0) {
        }
        if (!stream.error.empty()) return Error{"read archive: " + stream.error};
        st.bytes = ex.bytes();
        st.stream_bytes = stream.hash.bytes();
        st.diff_id = stream.hash.digest();
        return st;
    }();
    if (!result) {
        (void)fs::remove_tree(dest);
        return result.error().wrap(what);
    }
    return result;
}

Result<void> ensure_layers(Store& store, const Image& image, const UnpackLimits& limits) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    for (size_t i = 0; i < image.manifest.layers.size(); ++i) {
        const auto& layer = image.manifest.layers[i];
        const auto& diff_id = image.config.diff_ids[i];
        if (store.has_layer(diff_id)) continue;
        std::string what = "layer " + layer.digest;
        if (!store.has_blob(layer.digest)) return Error{what + ": blob not in the store"};
        std::string tmp = store.tmp_dir() + "/" + fs::temp_name("layer");
        auto st = SKIFF_TRY(unpack_layer(store.blob_path(layer.digest), tmp, what, limits));
        if (st.diff_id != diff_id) {
            (void)fs::remove_tree(tmp);
            return Error{what + ": uncompressed content has digest " + st.diff_id +
                         ", image config says " + diff_id};
        }
        std::string dest = store.layer_path(diff_id);
        // Before the layer, so a layer in place has its size; the fsync_dir below covers both.
        if (auto r = record_layer_size(store, diff_id, st.stream_bytes); !r) {
            (void)fs::remove_tree(tmp);
            return r.error();
        }
        if (::rename(tmp.c_str(), dest.c_str()) < 0) {
            int err = errno;
            (void)fs::remove_tree(tmp);
            // Another process unpacked the same layer meanwhile: theirs is as good.
            if ((err == ENOTEMPTY || err == EEXIST) && store.has_layer(diff_id)) continue;
            return errno_error("rename " + tmp + " to " + dest, err);
        }
        // layers/<diff id> is trusted as complete by every later run (has_layer): its name
        // must not outlive a crash without the content syncfs made durable above.
        SKIFF_CHECK(fs::fsync_dir(fs::dirname(dest)));
    }
    return ok();
}

} // namespace skiff::image
