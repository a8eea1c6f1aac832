// Files of the container's rootfs. Every path resolves beneath the rootfs dirfd with
// RESOLVE_IN_ROOT; every buffer is checked against guest RAM; file data moves straight between
// the host fd and guest pages.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app_seccomp.hpp"
#include "hypercalls/core.hpp"

namespace skiff::vmm {

void copy_stat(const struct stat& st, skiff_stat* out) {
    std::memset(out, 0, sizeof *out);
    out->st_dev = st.st_dev, out->st_ino = st.st_ino, out->st_nlink = st.st_nlink;
    out->st_mode = st.st_mode, out->st_uid = st.st_uid, out->st_gid = st.st_gid;
    out->st_rdev = st.st_rdev, out->st_size = st.st_size, out->st_blksize = st.st_blksize;
    out->st_blocks = st.st_blocks;
    out->st_atime_sec = st.st_atim.tv_sec, out->st_atime_nsec = st.st_atim.tv_nsec;
    out->st_mtime_sec = st.st_mtim.tv_sec, out->st_mtime_nsec = st.st_mtim.tv_nsec;
    out->st_ctime_sec = st.st_ctim.tv_sec, out->st_ctime_nsec = st.st_ctim.tv_nsec;
}

namespace {

constexpr size_t kMaxHandles = 4096;

int64_t path_error(uint64_t len) { return len == 0 ? -ENOENT : len > 4095 ? -ENAMETOOLONG : -EFAULT; }


int64_t add_handle(Guest& g, int fd) {
    for (size_t i = 3; i < g.handles.size(); ++i)
        if (g.handles[i] < 0) {
            g.handles[i] = fd;
            return static_cast<int64_t>(i);
        }
    if (g.handles.size() >= kMaxHandles) {
        close(fd);
        return -EMFILE;
    }
    g.handles.push_back(fd);
    return static_cast<int64_t>(g.handles.size() - 1);
}

int64_t hc_open(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_open*>(r);
    auto path = guest_path(g, req->path, req->path_len);
    if (!path) return path_error(req->path_len);
    skiff_stat* st_out = nullptr;
    if (req->stat) {
        st_out = g.mem->object<skiff_stat>(req->stat);
        if (!st_out) return -EFAULT;
    }
    constexpr int allowed = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY |
                            O_NOFOLLOW | O_NONBLOCK | O_PATH | O_NOCTTY;
    constexpr int kLargefile = 0100000; // the kernel value; glibc defines O_LARGEFILE as 0 on x86-64
    if (req->flags & ~allowed & ~O_CLOEXEC & ~kLargefile) return -EINVAL;
    const int fd = open_in_rootfs(g.rootfs_fd, *path, (req->flags & allowed) | O_NOCTTY,
                                  req->mode & 07777);
    if (fd < 0) return fd;
    if (st_out) {
        struct stat st;
        if (fstat(fd, &st) != 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        copy_stat(st, st_out);
    }
    return add_handle(g, fd);
}

int64_t hc_close(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_handle*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0 || req->handle < 3) return -EBADF; // the VMM's own stdio stays open
    g.handles[static_cast<size_t>(req->handle)] = -1;
    close(fd);
    return 0;
}

int64_t hc_pread(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_io*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    if (req->offset < 0) return -EINVAL;
    uint8_t* buf = guest_buffer(g, req->buf, req->len);
    if (!buf) return -EFAULT;
    ssize_t n;
    do n = ::pread(fd, buf, req->len, req->offset);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int64_t hc_pwrite(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_io*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    if (req->offset < 0) return -EINVAL;
    const uint8_t* buf = guest_buffer(g, req->buf, req->len);
    if (!buf) return -EFAULT;
    ssize_t n;
    do n = ::pwrite(fd, buf, req->len, req->offset);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int64_t hc_stat(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_stat*>(r);
    auto path = guest_path(g, req->path, req->path_len);
    if (!path) return path_error(req->path_len);
    auto* out = g.mem->object<skiff_stat>(req->stat);
    if (!out) return -EFAULT;
    const int fd = open_in_rootfs(g.rootfs_fd, *path, O_PATH | (req->nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) return fd;
    struct stat st;
    const int rc = fstat(fd, &st);
    const int e = errno;
    close(fd);
    if (rc != 0) return -e;
    copy_stat(st, out);
    return 0;
}

int64_t hc_fstat(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_fstat*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    auto* out = g.mem->object<skiff_stat>(req->stat);
    if (!out) return -EFAULT;
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    copy_stat(st, out);
    return 0;
}

// The lstat of each record in buf[from, to) into stats[*n...], beneath the directory fd only:
// "." and ".." are left out (".." of the rootfs's root would name a host directory).
void stat_records(int fd, const uint8_t* buf, uint64_t from, uint64_t to, skiff_stat* stats,
                  uint32_t max, uint32_t* n) {
    for (uint64_t off = from; off + 19 < to && *n < max;) {
        const auto* d = reinterpret_cast<const struct dirent64*>(buf + off);
        if (d->d_reclen == 0 || off + d->d_reclen > to) break;
        skiff_stat& out = stats[(*n)++];
        const char* name = d->d_name;
        struct stat st;
        const bool dots = name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
        if (!dots && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) copy_stat(st, &out);
        else std::memset(&out, 0, sizeof out);
        off += d->d_reclen;
    }
}

int64_t hc_getdents(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_getdents*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    const uint64_t len = std::min<uint64_t>(req->len, 1u << 20);
    uint8_t* buf = guest_buffer(g, req->buf, len);
    if (!buf) return -EFAULT;
    skiff_stat* stats = nullptr;
    const uint32_t max = std::min<uint32_t>(req->stats_max, 4096);
    // A profile that refuses stat hypercalls gets no stats this way either.
    if (req->stats && !(g.seccomp && g.seccomp->refusal(SKIFF_HC_STAT))) {
        stats = reinterpret_cast<skiff_stat*>(guest_buffer(g, req->stats, uint64_t{max} * sizeof(skiff_stat)));
        if (!stats || req->stats % alignof(skiff_stat)) return -EFAULT;
    }
    // Fill the buffer and say whether the listing ended: host getdents64 calls are cheap, the
    // guest's extra round trip to learn "no more" (an MMIO exit) is not.
    uint64_t total = 0;
    req->eof = 0;
    req->nstats = 0;
    for (;;) {
        const long n = syscall(SYS_getdents64, fd, buf + total, len - total);
        if (n < 0) {
            if (!total) return -errno;
            break; // EINVAL: the next record does not fit
        }
        if (n == 0) {
            req->eof = 1;
            break;
        }
        if (stats) stat_records(fd, buf, total, total + static_cast<uint64_t>(n), stats, max, &req->nstats);
        total += static_cast<uint64_t>(n);
    }
    return static_cast<int64_t>(total);
}

int64_t hc_seek_dir(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_io*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    const off_t o = lseek(fd, req->offset, SEEK_SET);
    return o < 0 ? -errno : o;
}

int64_t hc_readlink(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_readlink*>(r);
    auto path = guest_path(g, req->path, req->path_len);
    if (!path) return path_error(req->path_len);
    char* buf = reinterpret_cast<char*>(guest_buffer(g, req->buf, req->len));
    if (!buf) return -EFAULT;
    const int fd = open_in_rootfs(g.rootfs_fd, *path, O_PATH | O_NOFOLLOW);
    if (fd < 0) return fd;
    const ssize_t n = readlinkat(fd, "", buf, req->len);
    const int e = errno;
    close(fd);
    if (n < 0) return e == ENOENT ? -EINVAL : -e; // "" names the fd itself: not a symlink
    return n;
}

} // namespace

int open_in_rootfs(int rootfs_fd, const std::string& path, int flags, unsigned mode) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do fd = syscall(SYS_openat2, rootfs_fd, path.c_str(), &how, sizeof how);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : static_cast<int>(fd);
}

void register_file_hypercalls(Hypercalls& h) {
    h.add(SKIFF_HC_OPEN, {"open", sizeof(skiff_hc_open), hc_open});
    h.add(SKIFF_HC_CLOSE, {"close", sizeof(skiff_hc_handle), hc_close});
    h.add(SKIFF_HC_PREAD, {"pread", sizeof(skiff_hc_io), hc_pread});
    h.add(SKIFF_HC_PWRITE, {"pwrite", sizeof(skiff_hc_io), hc_pwrite});
    h.add(SKIFF_HC_STAT, {"stat", sizeof(skiff_hc_stat), hc_stat});
    h.add(SKIFF_HC_FSTAT, {"fstat", sizeof(skiff_hc_fstat), hc_fstat});
    h.add(SKIFF_HC_GETDENTS, {"getdents", sizeof(skiff_hc_getdents), hc_getdents});
    h.add(SKIFF_HC_SEEK_DIR, {"seek_dir", sizeof(skiff_hc_io), hc_seek_dir});
    h.add(SKIFF_HC_READLINK, {"readlink", sizeof(skiff_hc_readlink), hc_readlink});
}

} // namespace skiff::vmm
