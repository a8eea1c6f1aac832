// The libOS file layer: the fd table, path resolution, and the objects behind fds. Regular files
// of the rootfs opened read-only go through the dentry and page cache (fs/cache.cpp): a file read
// twice costs no second round trip to the VMM. Everything else is forwarded per call.
#pragma once

#include "libos.hpp"

namespace libos {

constexpr int kMaxFds = 1024;
constexpr size_t kPathMax = 4096;

// A cached rootfs regular file: one host handle kept open, its stat, and its page cache.
struct Inode {
    int64_t handle;
    skiff_stat st;
    uint8_t** chunks; // page cache: chunk i holds bytes [i * kChunk, (i + 1) * kChunk)
    uint64_t nchunks;
};

enum class FileKind : uint8_t { stream, host_file, host_dir, cached_file, dev_null, dev_zero, dev_random };

struct File {
    FileKind kind;
    int flags; // open flags (O_ACCMODE, O_APPEND, O_NONBLOCK)
    int refs;
    int64_t handle;   // host handle (stream, host_file, host_dir)
    Inode* inode;     // cached_file
    uint64_t offset;
    char* path;       // host_dir only: for *at() and fchdir
    bool dir_eof;     // host_dir: the VMM said the listing is done; cleared by a rewind
};

// fs/cache.cpp
// One hypercall fills one chunk; hypercalls are dear here (an MMIO exit, ≈45 µs on PVM), so
// chunks are large; a small file's chunk takes only its own pages.
constexpr uint64_t kChunk = 256 * 1024;
Inode* cache_open(const char* path, size_t len, int flags, int64_t* err, skiff_stat* st);
bool cache_stat(const char* path, size_t len, bool nofollow, skiff_stat* out, int64_t* err);
void cache_store_stat(const char* path, size_t len, bool nofollow, const skiff_stat* st, int64_t err);
int64_t cache_read(Inode* ino, uint8_t* buf, uint64_t len, uint64_t off);
const uint8_t* cache_chunk(Inode* ino, uint64_t index, uint64_t* len); // for sendfile
void cache_invalidate(); // something changed the rootfs: every cached stat is stale

// fs/vfs.cpp
File* fd_get(int fd);
// Absolute path of `path` relative to dirfd into out (kPathMax bytes); length or -errno.
int64_t resolve_path(int dirfd, const char* path, char* out);
int64_t fd_install(File* f, int min_fd, bool cloexec);

int64_t vfs_open(int dirfd, const char* path, int flags, unsigned mode);
int64_t vfs_close(int fd);
int64_t vfs_read(int fd, void* buf, uint64_t len);
int64_t vfs_pread(int fd, void* buf, uint64_t len, int64_t off);
int64_t vfs_write(int fd, const void* buf, uint64_t len);
int64_t vfs_pwrite(int fd, const void* buf, uint64_t len, int64_t off);
int64_t vfs_lseek(int fd, int64_t off, int whence);
int64_t vfs_fstat(int fd, skiff_stat* st);
int64_t vfs_stat(int dirfd, const char* path, skiff_stat* st, bool nofollow);
int64_t vfs_getdents(int fd, void* buf, uint64_t len);
int64_t vfs_readlink(int dirfd, const char* path, char* buf, uint64_t len);
int64_t vfs_dup(int fd, int min_fd, bool cloexec);
int64_t vfs_dup3(int oldfd, int newfd, bool cloexec);
int64_t vfs_fcntl(int fd, int cmd, uint64_t arg);
int64_t vfs_chdir(int dirfd, const char* path);
int64_t vfs_getcwd(char* buf, uint64_t size);
int64_t vfs_tty_ioctl(int fd, uint32_t request, void* arg);
int64_t vfs_sendfile(int out_fd, int in_fd, int64_t* offset, uint64_t count);

} // namespace libos
