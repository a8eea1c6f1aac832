// The fd table and the operations behind file syscalls.
#include "fs/vfs.hpp"

#include <asm/ioctls.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

namespace libos {
namespace {

File* fds[kMaxFds];
bool cloexec[kMaxFds];
char cwd[kPathMax] = "/";
size_t cwd_len = 1;

File* new_file(FileKind kind, int flags, int64_t handle) {
    auto* f = static_cast<File*>(kalloc(sizeof(File)));
    if (!f) return nullptr;
    f->kind = kind, f->flags = flags, f->refs = 1, f->handle = handle;
    return f;
}

void put_file(File* f) {
    if (--f->refs > 0) return;
    if (f->kind == FileKind::stream || f->kind == FileKind::host_file || f->kind == FileKind::host_dir) {
        if (f->handle > 2) {
            skiff_hc_handle req{0, f->handle};
            hypercall(SKIFF_HC_CLOSE, &req);
        }
    }
    if (f->path) kfree(f->path, strlen(f->path) + 1);
    kfree(f, sizeof(File));
}

bool is_write(int flags) {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

// Collapses "//" and "/./" so equal paths share one dentry; ".." is left for the host to resolve
// (lexical ".." would be wrong across symlinks).
size_t clean_path(char* p, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] == '/' && o > 0 && p[o - 1] == '/') { ++i; continue; }
        if (p[i] == '.' && o > 0 && p[o - 1] == '/' && (i + 1 == len || p[i + 1] == '/')) {
            i += 1;
            if (i < len) ++i; // skip the slash after "."
            continue;
        }
        p[o++] = p[i++];
    }
    if (o > 1 && p[o - 1] == '/' && len > 0 && p[len - 1] != '/') --o;
    p[o] = 0;
    return o;
}

int64_t host_fstat(int64_t handle, skiff_stat* st) {
    auto* b = const_cast<skiff_boot_info*>(boot);
    if (handle >= 0 && handle < 3 && (b->stdio_stat_valid & (1u << handle))) {
        b->stdio_stat_valid &= ~(1u << handle); // fresh once: later answers come from the host
        *st = b->stdio_stat[handle];
        return 0;
    }
    skiff_hc_fstat req{0, handle, reinterpret_cast<uint64_t>(st)};
    return hypercall(SKIFF_HC_FSTAT, &req);
}

void dev_stat(File* f, skiff_stat* st) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0666;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    const uint64_t minor = f->kind == FileKind::dev_null ? 3 : f->kind == FileKind::dev_zero ? 5 : 9;
    st->st_rdev = (1u << 8) | minor;
}

} // namespace

void vfs_init() {
    for (int i = 0; i < 3; ++i) fds[i] = new_file(FileKind::stream, i == 0 ? O_RDONLY : O_WRONLY, i);
    cwd_len = strnlen(boot->cwd, sizeof boot->cwd - 1);
    memcpy(cwd, boot->cwd, cwd_len);
    cwd[cwd_len] = 0;
}

File* fd_get(int fd) { return fd >= 0 && fd < kMaxFds ? fds[fd] : nullptr; }

int64_t fd_install(File* f, int min_fd, bool ce) {
    for (int i = min_fd < 0 ? 0 : min_fd; i < kMaxFds; ++i)
        if (!fds[i]) {
            fds[i] = f;
            cloexec[i] = ce;
            return i;
        }
    return -EMFILE;
}

int64_t resolve_path(int dirfd, const char* path, char* out) {
    if (!user_ok(path)) return -EFAULT;
    const size_t len = strnlen(path, kPathMax);
    if (len == kPathMax) return -ENAMETOOLONG;
    if (len == 0) return -ENOENT;
    size_t pos = 0;
    if (path[0] != '/') {
        const char* base = cwd;
        size_t blen = cwd_len;
        if (dirfd != AT_FDCWD) {
            File* d = fd_get(dirfd);
            if (!d) return -EBADF;
            if (d->kind != FileKind::host_dir || !d->path) return -ENOTDIR;
            base = d->path;
            blen = strlen(base);
        }
        if (blen + 1 + len >= kPathMax) return -ENAMETOOLONG;
        memcpy(out, base, blen);
        pos = blen;
        out[pos++] = '/';
    }
    memcpy(out + pos, path, len);
    return static_cast<int64_t>(clean_path(out, pos + len));
}

int64_t vfs_open(int dirfd, const char* upath, int flags, unsigned mode) {
    char path[kPathMax];
    const int64_t len = resolve_path(dirfd, upath, path);
    if (len < 0) return len;
    const bool ce = flags & O_CLOEXEC;
    const int keep = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);

    // Devices the libOS provides itself.
    FileKind dev = FileKind::stream;
    if (strcmp(path, "/dev/null") == 0) dev = FileKind::dev_null;
    else if (strcmp(path, "/dev/zero") == 0) dev = FileKind::dev_zero;
    else if (strcmp(path, "/dev/urandom") == 0 || strcmp(path, "/dev/random") == 0) dev = FileKind::dev_random;
    else if (starts_with(path, "/dev/std") || starts_with(path, "/proc/self/fd/")) {
        const char* n = strcmp(path, "/dev/stdin") == 0 ? "0" : strcmp(path, "/dev/stdout") == 0 ? "1"
                        : strcmp(path, "/dev/stderr") == 0 ? "2" : path + 14;
        int fd = 0;
        for (; *n >= '0' && *n <= '9'; ++n) fd = fd * 10 + (*n - '0');
        if (*n) return -ENOENT;
        return vfs_dup(fd, 0, ce);
    }
    if (dev != FileKind::stream) {
        File* f = new_file(dev, keep, -1);
        if (!f) return -ENOMEM;
        const int64_t fd = fd_install(f, 0, ce);
        if (fd < 0) put_file(f);
        return fd;
    }

    // The open hypercall returns the file's stat too: one round trip fewer than open + fstat.
    int64_t handle;
    skiff_stat st;
    if (!is_write(flags) && !(flags & (O_DIRECTORY | O_NOFOLLOW | O_PATH))) {
        int64_t err;
        Inode* ino = cache_open(path, static_cast<size_t>(len), flags & ~O_CLOEXEC, &err, &st);
        if (ino) {
            File* f = new_file(FileKind::cached_file, keep, -1);
            if (!f) return -ENOMEM;
            f->inode = ino;
            const int64_t fd = fd_install(f, 0, ce);
            if (fd < 0) put_file(f);
            return fd;
        }
        if (err < 0) return err;
        handle = err; // opened, but not a cacheable regular file
    } else {
        if (is_write(flags)) cache_invalidate();
        skiff_hc_open req{0, reinterpret_cast<uint64_t>(path), static_cast<uint64_t>(len),
                          flags & ~O_CLOEXEC, mode, reinterpret_cast<uint64_t>(&st)};
        handle = hypercall(SKIFF_HC_OPEN, &req);
        if (handle < 0) return handle;
    }
    FileKind kind = FileKind::stream;
    if ((st.st_mode & S_IFMT) == S_IFDIR) kind = FileKind::host_dir;
    else if ((st.st_mode & S_IFMT) == S_IFREG) kind = FileKind::host_file;
    File* f = new_file(kind, keep, handle);
    if (!f) {
        skiff_hc_handle c{0, handle};
        hypercall(SKIFF_HC_CLOSE, &c);
        return -ENOMEM;
    }
    if (kind == FileKind::host_dir) {
        f->path = static_cast<char*>(kalloc(static_cast<size_t>(len) + 1));
        if (f->path) memcpy(f->path, path, static_cast<size_t>(len) + 1);
    }
    const int64_t fd = fd_install(f, 0, ce);
    if (fd < 0) put_file(f);
    return fd;
}

int64_t vfs_close(int fd) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    fds[fd] = nullptr;
    put_file(f);
    return 0;
}

int64_t vfs_pread(int fd, void* buf, uint64_t len, int64_t off) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & O_ACCMODE) == O_WRONLY) return -EBADF;
    if (off < 0) return -EINVAL;
    if (len && !user_range_ok(reinterpret_cast<uint64_t>(buf), len)) return -EFAULT;
    switch (f->kind) {
    case FileKind::cached_file: return cache_read(f->inode, static_cast<uint8_t*>(buf), len, static_cast<uint64_t>(off));
    case FileKind::host_file: {
        skiff_hc_io req{0, f->handle, reinterpret_cast<uint64_t>(buf), len, off};
        return hypercall(SKIFF_HC_PREAD, &req);
    }
    case FileKind::host_dir: return -EISDIR;
    default: return -ESPIPE;
    }
}

int64_t vfs_read(int fd, void* buf, uint64_t len) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & O_ACCMODE) == O_WRONLY) return -EBADF;
    if (len && !user_range_ok(reinterpret_cast<uint64_t>(buf), len)) return -EFAULT;
    switch (f->kind) {
    case FileKind::cached_file:
    case FileKind::host_file: {
        const int64_t n = vfs_pread(fd, buf, len, static_cast<int64_t>(f->offset));
        if (n > 0) f->offset += static_cast<uint64_t>(n);
        return n;
    }
    case FileKind::host_dir: return -EISDIR;
    case FileKind::dev_null: return 0;
    case FileKind::dev_zero: memset(buf, 0, len); return static_cast<int64_t>(len);
    case FileKind::dev_random: return random_fill(static_cast<uint8_t*>(buf), len);
    case FileKind::stream: {
        skiff_hc_io req{0, f->handle, reinterpret_cast<uint64_t>(buf), len, 0};
        return hypercall(SKIFF_HC_READ, &req);
    }
    }
    return -EBADF;
}

int64_t vfs_pwrite(int fd, const void* buf, uint64_t len, int64_t off) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY) return -EBADF;
    if (off < 0) return -EINVAL;
    if (f->kind != FileKind::host_file) return f->kind == FileKind::host_dir ? -EISDIR : -ESPIPE;
    cache_invalidate();
    skiff_hc_io req{0, f->handle, reinterpret_cast<uint64_t>(buf), len, off};
    return hypercall(SKIFF_HC_PWRITE, &req);
}

int64_t vfs_write(int fd, const void* buf, uint64_t len) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY) return -EBADF;
    if (len && !user_range_ok(reinterpret_cast<uint64_t>(buf), len)) return -EFAULT;
    switch (f->kind) {
    case FileKind::dev_null: case FileKind::dev_zero: case FileKind::dev_random:
        return static_cast<int64_t>(len);
    case FileKind::host_file:
        if (!(f->flags & O_APPEND)) {
            const int64_t n = vfs_pwrite(fd, buf, len, static_cast<int64_t>(f->offset));
            if (n > 0) f->offset += static_cast<uint64_t>(n);
            return n;
        }
        cache_invalidate();
        [[fallthrough]]; // appends go through the host fd, which has O_APPEND
    case FileKind::stream: {
        skiff_hc_io req{0, f->handle, reinterpret_cast<uint64_t>(buf), len, 0};
        return hypercall(SKIFF_HC_WRITE, &req);
    }
    default: return -EBADF;
    }
}

int64_t vfs_lseek(int fd, int64_t off, int whence) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->kind == FileKind::host_dir) {
        if (whence != 0 /* SEEK_SET */) return -EINVAL;
        skiff_hc_io req{0, f->handle, 0, 0, off};
        const int64_t r = hypercall(SKIFF_HC_SEEK_DIR, &req);
        if (r >= 0) f->dir_eof = false;
        return r;
    }
    if (f->kind != FileKind::cached_file && f->kind != FileKind::host_file)
        return f->kind == FileKind::stream ? -ESPIPE : 0;
    int64_t base = 0;
    if (whence == 1) base = static_cast<int64_t>(f->offset);
    else if (whence == 2) {
        skiff_stat st;
        const int64_t rc = vfs_fstat(fd, &st);
        if (rc < 0) return rc;
        base = st.st_size;
    } else if (whence != 0) return -EINVAL;
    if (off < 0 && base + off < 0) return -EINVAL;
    f->offset = static_cast<uint64_t>(base + off);
    return static_cast<int64_t>(f->offset);
}

int64_t vfs_fstat(int fd, skiff_stat* st) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    switch (f->kind) {
    case FileKind::cached_file: *st = f->inode->st; return 0;
    case FileKind::dev_null: case FileKind::dev_zero: case FileKind::dev_random: dev_stat(f, st); return 0;
    default: return host_fstat(f->handle, st);
    }
}

int64_t vfs_stat(int dirfd, const char* upath, skiff_stat* st, bool nofollow) {
    char path[kPathMax];
    const int64_t len = resolve_path(dirfd, upath, path);
    if (len < 0) return len;
    int64_t err;
    if (cache_stat(path, static_cast<size_t>(len), nofollow, st, &err)) return err;
    skiff_hc_stat req{0, reinterpret_cast<uint64_t>(path), static_cast<uint64_t>(len),
                      reinterpret_cast<uint64_t>(st), nofollow, 0};
    err = hypercall(SKIFF_HC_STAT, &req);
    if (err == 0 || err == -ENOENT) cache_store_stat(path, static_cast<size_t>(len), nofollow, st, err);
    return err;
}

namespace {

// The lstat of every entry of a listing comes back with it: they go into the dentry cache, so
// `ls -l` or a tree walk costs no stat round trip per entry.
constexpr uint32_t kListingStats = 512; // 72 KiB, touched only as far as listings fill it
skiff_stat listing_stats[kListingStats];

void cache_listing(const File* f, const uint8_t* buf, uint64_t len, uint32_t nstats) {
    if (!f->path) return;
    char path[kPathMax];
    size_t dir_len = strnlen(f->path, kPathMax);
    if (dir_len == 1) dir_len = 0; // "/": entries are "/name"
    if (dir_len + 2 >= kPathMax) return;
    memcpy(path, f->path, dir_len);
    path[dir_len] = '/';
    uint64_t off = 0;
    for (uint32_t i = 0; i < nstats && off + 19 < len; ++i) {
        const uint16_t reclen = *reinterpret_cast<const uint16_t*>(buf + off + 16);
        if (reclen == 0 || off + reclen > len) break;
        const char* name = reinterpret_cast<const char*>(buf + off + 19);
        const size_t name_len = strnlen(name, reclen - 19);
        off += reclen;
        const skiff_stat& st = listing_stats[i];
        if (st.st_mode == 0 || dir_len + 1 + name_len >= kPathMax) continue;
        memcpy(path + dir_len + 1, name, name_len);
        const size_t plen = dir_len + 1 + name_len;
        path[plen] = 0;
        cache_store_stat(path, plen, true, &st, 0);
        if ((st.st_mode & S_IFMT) != S_IFLNK) cache_store_stat(path, plen, false, &st, 0);
    }
}

} // namespace

int64_t vfs_getdents(int fd, void* buf, uint64_t len) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->kind != FileKind::host_dir) return -ENOTDIR;
    if (!user_range_ok(reinterpret_cast<uint64_t>(buf), len)) return -EFAULT;
    // The end of a listing costs no round trip: the VMM says when it reached it.
    if (f->dir_eof) return 0;
    skiff_hc_getdents req{0, f->handle, reinterpret_cast<uint64_t>(buf), len,
                          reinterpret_cast<uint64_t>(listing_stats), kListingStats, 0, 0, 0};
    const int64_t r = hypercall(SKIFF_HC_GETDENTS, &req);
    if (r < 0) return r;
    if (req.eof) f->dir_eof = true;
    cache_listing(f, static_cast<const uint8_t*>(buf), static_cast<uint64_t>(r), req.nstats);
    return r;
}

int64_t vfs_readlink(int dirfd, const char* upath, char* buf, uint64_t len) {
    char path[kPathMax];
    const int64_t plen = resolve_path(dirfd, upath, path);
    if (plen < 0) return plen;
    if (!user_range_ok(reinterpret_cast<uint64_t>(buf), len)) return -EFAULT;
    if (strcmp(path, "/proc/self/exe") == 0) {
        const size_t n = strnlen(boot->exe, sizeof boot->exe);
        const size_t c = n < len ? n : len;
        memcpy(buf, boot->exe, c);
        return static_cast<int64_t>(c);
    }
    skiff_hc_readlink req{0, reinterpret_cast<uint64_t>(path), static_cast<uint64_t>(plen),
                          reinterpret_cast<uint64_t>(buf), len};
    return hypercall(SKIFF_HC_READLINK, &req);
}

int64_t vfs_dup(int fd, int min_fd, bool ce) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if (min_fd < 0 || min_fd >= kMaxFds) return -EINVAL;
    const int64_t n = fd_install(f, min_fd, ce);
    if (n >= 0) ++f->refs;
    return n;
}

int64_t vfs_dup3(int oldfd, int newfd, bool ce) {
    File* f = fd_get(oldfd);
    if (!f) return -EBADF;
    if (newfd < 0 || newfd >= kMaxFds) return -EBADF;
    if (oldfd == newfd) return newfd;
    if (fds[newfd]) put_file(fds[newfd]);
    fds[newfd] = f;
    cloexec[newfd] = ce;
    ++f->refs;
    return newfd;
}

int64_t vfs_fcntl(int fd, int cmd, uint64_t arg) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    switch (cmd) {
    case F_DUPFD: return vfs_dup(fd, static_cast<int>(arg), false);
    case F_DUPFD_CLOEXEC: return vfs_dup(fd, static_cast<int>(arg), true);
    case F_GETFD: return cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD: cloexec[fd] = arg & FD_CLOEXEC; return 0;
    case F_GETFL: return f->flags;
    case F_SETFL: f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (static_cast<int>(arg) & (O_APPEND | O_NONBLOCK)); return 0;
    default: return -EINVAL;
    }
}

int64_t vfs_chdir(int dirfd, const char* upath) {
    char path[kPathMax];
    int64_t len;
    if (upath) {
        len = resolve_path(dirfd, upath, path);
        if (len < 0) return len;
    } else {
        File* f = fd_get(dirfd);
        if (!f) return -EBADF;
        if (f->kind != FileKind::host_dir || !f->path) return -ENOTDIR;
        len = static_cast<int64_t>(strlen(f->path));
        memcpy(path, f->path, static_cast<size_t>(len) + 1);
    }
    skiff_stat st;
    const int64_t rc = vfs_stat(AT_FDCWD, path, &st, false);
    if (rc < 0) return rc;
    if ((st.st_mode & S_IFMT) != S_IFDIR) return -ENOTDIR;
    // getcwd must print a canonical path: fold "." and ".." lexically for the name we keep.
    char out[kPathMax];
    size_t o = 0;
    for (int64_t i = 0; i < len;) {
        while (i < len && path[i] == '/') ++i;
        int64_t j = i;
        while (j < len && path[j] != '/') ++j;
        const int64_t n = j - i;
        if (n == 0 || (n == 1 && path[i] == '.')) { i = j; continue; }
        if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
            while (o > 0 && out[o - 1] != '/') --o;
            if (o > 0) --o;
            i = j;
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, path + i, static_cast<size_t>(n));
        o += static_cast<size_t>(n);
        i = j;
    }
    if (o == 0) out[o++] = '/';
    memcpy(cwd, out, o);
    cwd[o] = 0;
    cwd_len = o;
    return 0;
}

int64_t vfs_getcwd(char* buf, uint64_t size) {
    if (!user_range_ok(reinterpret_cast<uint64_t>(buf), size)) return -EFAULT;
    if (size < cwd_len + 1) return -ERANGE;
    memcpy(buf, cwd, cwd_len + 1);
    return static_cast<int64_t>(cwd_len + 1);
}

int64_t vfs_tty_ioctl(int fd, uint32_t request, void* arg) {
    File* f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->kind != FileKind::stream) return -ENOTTY;
    if (request != TCGETS && request != TIOCGWINSZ) return -ENOTTY;
    // The VMM's own stdio: it said at boot which are terminals (a pipe never becomes one).
    if (f->handle >= 0 && f->handle < 3 && !(boot->stdio_tty & (1u << f->handle))) return -ENOTTY;
    if (!user_range_ok(reinterpret_cast<uint64_t>(arg), request == TCGETS ? 36 : 8)) return -EFAULT;
    skiff_hc_tty req{0, f->handle, request, 0, reinterpret_cast<uint64_t>(arg)};
    return hypercall(SKIFF_HC_TTY, &req);
}

int64_t vfs_sendfile(int out_fd, int in_fd, int64_t* offset, uint64_t count) {
    File* in = fd_get(in_fd);
    File* out = fd_get(out_fd);
    if (!in || !out) return -EBADF;
    uint64_t pos = offset ? static_cast<uint64_t>(*offset) : in->offset;
    uint64_t done = 0;
    // Cached input: hand the VMM the cached chunk itself, no copy in the guest.
    static uint8_t bounce[kChunk];
    while (done < count) {
        const uint8_t* src;
        uint64_t n;
        if (in->kind == FileKind::cached_file) {
            if (pos >= static_cast<uint64_t>(in->inode->st.st_size)) break;
            uint64_t clen;
            const uint8_t* chunk = cache_chunk(in->inode, pos / kChunk, &clen);
            if (!chunk) {
                const int64_t r = cache_read(in->inode, bounce, kChunk < count - done ? kChunk : count - done, pos);
                if (r <= 0) break;
                src = bounce, n = static_cast<uint64_t>(r);
            } else {
                src = chunk + pos % kChunk;
                n = clen - pos % kChunk;
            }
        } else {
            const uint64_t want = kChunk < count - done ? kChunk : count - done;
            const int64_t r = offset || in->kind == FileKind::host_file
                                  ? vfs_pread(in_fd, bounce, want, static_cast<int64_t>(pos))
                                  : vfs_read(in_fd, bounce, want);
            if (r < 0) return done ? static_cast<int64_t>(done) : r;
            if (r == 0) break;
            src = bounce, n = static_cast<uint64_t>(r);
        }
        if (n > count - done) n = count - done;
        const int64_t w = vfs_write(out_fd, src, n);
        if (w < 0) return done ? static_cast<int64_t>(done) : w;
        done += static_cast<uint64_t>(w);
        pos += static_cast<uint64_t>(w);
        if (static_cast<uint64_t>(w) < n) break;
    }
    if (offset) *offset = static_cast<int64_t>(pos);
    else if (in->kind == FileKind::cached_file || in->kind == FileKind::host_file) in->offset = pos;
    return static_cast<int64_t>(done);
}

} // namespace libos
