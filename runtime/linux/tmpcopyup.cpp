// runc's "tmpcopyup" extension: a tmpfs mounted over a directory of the image starts with a
// copy of that directory's contents (owners, modes, times, symlinks, device nodes kept).
// The covered directory is read through an fd opened before the mount, so no temporary mount
// is needed.
#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mounts.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

namespace {

Result<void> copy_attrs(int dir, const char* name, const struct stat& st, const std::string& path) {
    if (fchownat(dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return sys_error("tmpcopyup: chown " + path);
    if (!S_ISLNK(st.st_mode) && fchmodat(dir, name, st.st_mode & 07777, 0) < 0)
        return sys_error("tmpcopyup: chmod " + path);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return sys_error("tmpcopyup: utimes " + path);
    return ok();
}

Result<void> copy_file(int from_dir, int to_dir, const char* name, const struct stat& st,
                       const std::string& path) {
    UniqueFd in(openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) return sys_error("tmpcopyup: open " + path);
    UniqueFd out(openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) return sys_error("tmpcopyup: create " + path);
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("tmpcopyup: copy " + path);
        if (n == 0) break; // the file shrank meanwhile
        left -= n;
    }
    return ok();
}

Result<void> copy_tree(int from, int to, const std::string& path, int depth) {
    if (depth > 256) return sys_error("tmpcopyup: " + path, ELOOP);
    int dup_fd = fcntl(from, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) return sys_error("tmpcopyup: dup");
    DIR* d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        return sys_error("tmpcopyup: opendir " + path);
    }
    struct Closer {
        DIR* d;
        ~Closer() { closedir(d); }
    } closer{d};
    while (dirent* e = readdir(d)) {
        const char* name = e->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
        const std::string sub = path + "/" + name;
        struct stat st{};
        if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return sys_error("tmpcopyup: stat " + sub);
        if (S_ISDIR(st.st_mode)) {
            if (mkdirat(to, name, 0700) < 0) return sys_error("tmpcopyup: mkdir " + sub);
            UniqueFd f(openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd t(openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!f || !t) return sys_error("tmpcopyup: open " + sub);
            SKIFF_CHECK(copy_tree(f.get(), t.get(), sub, depth + 1));
        } else if (S_ISREG(st.st_mode)) {
            SKIFF_CHECK(copy_file(from, to, name, st, sub));
        } else if (S_ISLNK(st.st_mode)) {
            char buf[4096];
            ssize_t n = readlinkat(from, name, buf, sizeof buf - 1);
            if (n < 0) return sys_error("tmpcopyup: readlink " + sub);
            buf[n] = 0;
            if (symlinkat(buf, to, name) < 0) return sys_error("tmpcopyup: symlink " + sub);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
            if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
                return sys_error("tmpcopyup: mknod " + sub);
        } else {
            continue; // sockets belong to a process that is not there
        }
        SKIFF_CHECK(copy_attrs(to, name, st, sub));
    }
    return ok();
}

} // namespace

// The tmpfs root keeps the mode its own options gave it (runc copies contents only).
Result<void> copy_up(int from, int to, const std::string& dest_path) {
    return copy_tree(from, to, dest_path, 0);
}

} // namespace skiff::runtime::linux
