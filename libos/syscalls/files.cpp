// File syscalls: argument checks and the Linux calling conventions, over fs/vfs.
#include <asm/ioctls.h>
#include <asm/unistd_64.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "fs/vfs.hpp"
#include "syscalls/syscalls.hpp"

namespace libos {
namespace {

constexpr int kAtEmptyPath = 0x1000;

struct iovec_ {
    uint64_t base, len;
};

template <class T>
T* ptr(uint64_t v) { return reinterpret_cast<T*>(v); }
int fd_arg(uint64_t v) { return static_cast<int>(v); }

int64_t sys_read(SyscallFrame& f) { return vfs_read(fd_arg(f.rdi), ptr<void>(f.rsi), f.rdx); }
int64_t sys_write(SyscallFrame& f) { return vfs_write(fd_arg(f.rdi), ptr<void>(f.rsi), f.rdx); }
int64_t sys_pread64(SyscallFrame& f) { return vfs_pread(fd_arg(f.rdi), ptr<void>(f.rsi), f.rdx, static_cast<int64_t>(f.r10)); }
int64_t sys_pwrite64(SyscallFrame& f) { return vfs_pwrite(fd_arg(f.rdi), ptr<void>(f.rsi), f.rdx, static_cast<int64_t>(f.r10)); }

int64_t sys_readv(SyscallFrame& f) {
    const auto* iov = ptr<iovec_>(f.rsi);
    const uint64_t n = f.rdx;
    if (n > 1024) return -EINVAL;
    if (n && !user_ok(iov, n)) return -EFAULT;
    int64_t total = 0;
    for (uint64_t i = 0; i < n; ++i) {
        if (!iov[i].len) continue;
        const int64_t r = vfs_read(fd_arg(f.rdi), ptr<void>(iov[i].base), iov[i].len);
        if (r < 0) return total ? total : r;
        total += r;
        if (static_cast<uint64_t>(r) < iov[i].len) break;
    }
    return total;
}

// writev gathers small vectors into one buffer: musl's printf sends two, and each hypercall is
// an exit to the VMM.
int64_t sys_writev(SyscallFrame& f) {
    const auto* iov = ptr<iovec_>(f.rsi);
    const uint64_t n = f.rdx;
    if (n > 1024) return -EINVAL;
    if (n && !user_ok(iov, n)) return -EFAULT;
    static uint8_t gather[16384];
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; ++i) {
        if (iov[i].len && !user_range_ok(iov[i].base, iov[i].len)) return -EFAULT;
        sum += iov[i].len;
    }
    if (n > 1 && sum <= sizeof gather) {
        uint64_t pos = 0;
        for (uint64_t i = 0; i < n; ++i) {
            memcpy(gather + pos, ptr<void>(iov[i].base), iov[i].len);
            pos += iov[i].len;
        }
        return vfs_write(fd_arg(f.rdi), gather, sum);
    }
    int64_t total = 0;
    for (uint64_t i = 0; i < n; ++i) {
        if (!iov[i].len) continue;
        const int64_t r = vfs_write(fd_arg(f.rdi), ptr<void>(iov[i].base), iov[i].len);
        if (r < 0) return total ? total : r;
        total += r;
        if (static_cast<uint64_t>(r) < iov[i].len) break;
    }
    return total;
}

int64_t sys_open(SyscallFrame& f) { return vfs_open(AT_FDCWD, ptr<char>(f.rdi), static_cast<int>(f.rsi), static_cast<unsigned>(f.rdx)); }
int64_t sys_openat(SyscallFrame& f) {
    return vfs_open(fd_arg(f.rdi), ptr<char>(f.rsi), static_cast<int>(f.rdx), static_cast<unsigned>(f.r10));
}
int64_t sys_creat(SyscallFrame& f) { return vfs_open(AT_FDCWD, ptr<char>(f.rdi), O_CREAT | O_WRONLY | O_TRUNC, static_cast<unsigned>(f.rsi)); }
int64_t sys_close(SyscallFrame& f) { return vfs_close(fd_arg(f.rdi)); }
int64_t sys_lseek(SyscallFrame& f) { return vfs_lseek(fd_arg(f.rdi), static_cast<int64_t>(f.rsi), static_cast<int>(f.rdx)); }

int64_t stat_out(int64_t rc, skiff_stat& st, uint64_t out) {
    if (rc < 0) return rc;
    if (!user_ok(ptr<skiff_stat>(out))) return -EFAULT;
    memcpy(ptr<void>(out), &st, sizeof st);
    return 0;
}
int64_t sys_fstat(SyscallFrame& f) {
    skiff_stat st;
    return stat_out(vfs_fstat(fd_arg(f.rdi), &st), st, f.rsi);
}
int64_t sys_stat(SyscallFrame& f) {
    skiff_stat st;
    return stat_out(vfs_stat(AT_FDCWD, ptr<char>(f.rdi), &st, false), st, f.rsi);
}
int64_t sys_lstat(SyscallFrame& f) {
    skiff_stat st;
    return stat_out(vfs_stat(AT_FDCWD, ptr<char>(f.rdi), &st, true), st, f.rsi);
}
int64_t sys_newfstatat(SyscallFrame& f) {
    skiff_stat st;
    const int flags = static_cast<int>(f.r10);
    const char* path = ptr<char>(f.rsi);
    if ((flags & kAtEmptyPath) && user_ok(path) && path[0] == 0)
        return stat_out(vfs_fstat(fd_arg(f.rdi), &st), st, f.rdx);
    return stat_out(vfs_stat(fd_arg(f.rdi), path, &st, flags & AT_SYMLINK_NOFOLLOW), st, f.rdx);
}

// statx: the fields busybox and glibc read, from the same stat.
int64_t sys_statx(SyscallFrame& f) {
    skiff_stat st;
    const int flags = static_cast<int>(f.rdx);
    const char* path = ptr<char>(f.rsi);
    int64_t rc;
    if ((flags & kAtEmptyPath) && user_ok(path) && path[0] == 0) rc = vfs_fstat(fd_arg(f.rdi), &st);
    else rc = vfs_stat(fd_arg(f.rdi), path, &st, flags & AT_SYMLINK_NOFOLLOW);
    if (rc < 0) return rc;
    auto* sx = ptr<struct statx>(f.r8);
    if (!user_ok(sx)) return -EFAULT;
    memset(sx, 0, sizeof *sx);
    sx->stx_mask = 0x7ff; // STATX_BASIC_STATS
    sx->stx_blksize = static_cast<uint32_t>(st.st_blksize);
    sx->stx_nlink = static_cast<uint32_t>(st.st_nlink);
    sx->stx_uid = st.st_uid, sx->stx_gid = st.st_gid;
    sx->stx_mode = static_cast<uint16_t>(st.st_mode);
    sx->stx_ino = st.st_ino;
    sx->stx_size = static_cast<uint64_t>(st.st_size);
    sx->stx_blocks = static_cast<uint64_t>(st.st_blocks);
    sx->stx_atime = {st.st_atime_sec, static_cast<uint32_t>(st.st_atime_nsec), 0};
    sx->stx_mtime = {st.st_mtime_sec, static_cast<uint32_t>(st.st_mtime_nsec), 0};
    sx->stx_ctime = {st.st_ctime_sec, static_cast<uint32_t>(st.st_ctime_nsec), 0};
    sx->stx_rdev_major = static_cast<uint32_t>((st.st_rdev >> 8) & 0xfff);
    sx->stx_rdev_minor = static_cast<uint32_t>((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00));
    sx->stx_dev_major = static_cast<uint32_t>((st.st_dev >> 8) & 0xfff);
    sx->stx_dev_minor = static_cast<uint32_t>((st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00));
    return 0;
}

int64_t access_check(int dirfd, const char* path) {
    skiff_stat st;
    return vfs_stat(dirfd, path, &st, false);
}
int64_t sys_access(SyscallFrame& f) { return access_check(AT_FDCWD, ptr<char>(f.rdi)); }
int64_t sys_faccessat(SyscallFrame& f) { return access_check(fd_arg(f.rdi), ptr<char>(f.rsi)); }

int64_t sys_getdents64(SyscallFrame& f) { return vfs_getdents(fd_arg(f.rdi), ptr<void>(f.rsi), f.rdx); }
int64_t sys_readlink(SyscallFrame& f) { return vfs_readlink(AT_FDCWD, ptr<char>(f.rdi), ptr<char>(f.rsi), f.rdx); }
int64_t sys_readlinkat(SyscallFrame& f) {
    return vfs_readlink(fd_arg(f.rdi), ptr<char>(f.rsi), ptr<char>(f.rdx), f.r10);
}

int64_t sys_dup(SyscallFrame& f) { return vfs_dup(fd_arg(f.rdi), 0, false); }
int64_t sys_dup2(SyscallFrame& f) {
    if (!fd_get(fd_arg(f.rdi))) return -EBADF;
    return vfs_dup3(fd_arg(f.rdi), fd_arg(f.rsi), false);
}
int64_t sys_dup3(SyscallFrame& f) {
    if (f.rdi == f.rsi) return -EINVAL;
    return vfs_dup3(fd_arg(f.rdi), fd_arg(f.rsi), f.rdx & O_CLOEXEC);
}
int64_t sys_fcntl(SyscallFrame& f) { return vfs_fcntl(fd_arg(f.rdi), static_cast<int>(f.rsi), f.rdx); }

int64_t sys_ioctl(SyscallFrame& f) {
    const uint32_t req = static_cast<uint32_t>(f.rsi);
    if (req == TCGETS || req == TIOCGWINSZ) return vfs_tty_ioctl(fd_arg(f.rdi), req, ptr<void>(f.rdx));
    if (!fd_get(fd_arg(f.rdi))) return -EBADF;
    return -ENOTTY;
}

int64_t sys_getcwd(SyscallFrame& f) { return vfs_getcwd(ptr<char>(f.rdi), f.rsi); }
int64_t sys_chdir(SyscallFrame& f) { return vfs_chdir(AT_FDCWD, ptr<char>(f.rdi)); }
int64_t sys_fchdir(SyscallFrame& f) { return vfs_chdir(fd_arg(f.rdi), nullptr); }

int64_t sys_sendfile(SyscallFrame& f) {
    int64_t* off = ptr<int64_t>(f.rdx);
    if (off && !user_ok(off)) return -EFAULT;
    return vfs_sendfile(fd_arg(f.rdi), fd_arg(f.rsi), off, f.r10);
}

int64_t sys_fadvise(SyscallFrame& f) { return fd_get(fd_arg(f.rdi)) ? 0 : -EBADF; }

} // namespace

void register_file_syscalls() {
    register_syscall(__NR_read, sys_read);
    register_syscall(__NR_write, sys_write);
    register_syscall(__NR_pread64, sys_pread64);
    register_syscall(__NR_pwrite64, sys_pwrite64);
    register_syscall(__NR_readv, sys_readv);
    register_syscall(__NR_writev, sys_writev);
    register_syscall(__NR_open, sys_open);
    register_syscall(__NR_openat, sys_openat);
    register_syscall(__NR_creat, sys_creat);
    register_syscall(__NR_close, sys_close);
    register_syscall(__NR_lseek, sys_lseek);
    register_syscall(__NR_fstat, sys_fstat);
    register_syscall(__NR_stat, sys_stat);
    register_syscall(__NR_lstat, sys_lstat);
    register_syscall(__NR_newfstatat, sys_newfstatat);
    register_syscall(__NR_statx, sys_statx);
    register_syscall(__NR_access, sys_access);
    register_syscall(__NR_faccessat, sys_faccessat);
    register_syscall(__NR_faccessat2, sys_faccessat);
    register_syscall(__NR_getdents64, sys_getdents64);
    register_syscall(__NR_readlink, sys_readlink);
    register_syscall(__NR_readlinkat, sys_readlinkat);
    register_syscall(__NR_dup, sys_dup);
    register_syscall(__NR_dup2, sys_dup2);
    register_syscall(__NR_dup3, sys_dup3);
    register_syscall(__NR_fcntl, sys_fcntl);
    register_syscall(__NR_ioctl, sys_ioctl);
    register_syscall(__NR_getcwd, sys_getcwd);
    register_syscall(__NR_chdir, sys_chdir);
    register_syscall(__NR_fchdir, sys_fchdir);
    register_syscall(__NR_sendfile, sys_sendfile);
    register_syscall(__NR_fadvise64, sys_fadvise);
}

} // namespace libos
