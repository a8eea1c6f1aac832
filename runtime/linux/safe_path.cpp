#include "safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "sys_error.hpp"

namespace skiff::runtime::linux {

std::string clean_path(std::string_view path) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view part = path.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (auto p : parts) {
        out += '/';
        out += p;
    }
    return out.empty() ? "/" : out;
}

std::string parent_path(const std::string& clean) {
    size_t slash = clean.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : clean.substr(0, slash);
}

std::string base_name(const std::string& clean) { return clean.substr(clean.rfind('/') + 1); }

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

static int openat2_raw(int root, const char* path, int flags, uint64_t extra_resolve) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
    // RESOLVE_IN_ROOT answers EAGAIN when a concurrent rename might have let ".." escape.
    for (int tries = 0;; tries++) {
        int fd = static_cast<int>(syscall(SYS_openat2, root, path, &how, sizeof how));
        if (fd >= 0 || errno != EAGAIN || tries == 16) return fd;
    }
}

// One openat2 in the common case (no symlink on the path); a second one through symlinks.
static int openat2_in_root(int root, const std::string& path, int flags, bool* followed) {
    if (!followed) return openat2_raw(root, path.c_str(), flags, 0);
    int fd = openat2_raw(root, path.c_str(), flags, RESOLVE_NO_SYMLINKS);
    if (fd >= 0 || errno != ELOOP) return fd;
    *followed = true;
    return openat2_raw(root, path.c_str(), flags, 0);
}

Result<UniqueFd> open_in_root(int root, const std::string& path, int flags, bool* followed) {
    int fd = openat2_in_root(root, path, flags, followed);
    if (fd < 0) return sys_error("open " + path, errno);
    return UniqueFd(fd);
}

// After mkdirat/openat(O_CREAT) met EEXIST where openat2 saw nothing: a dangling symlink. The
// path it points to, resolved against its directory, still inside the root.
static Result<std::string> symlink_target_in_root(int parent, const std::string& path) {
    char buf[4096];
    ssize_t n = readlinkat(parent, base_name(path).c_str(), buf, sizeof buf - 1);
    if (n < 0) return sys_error("readlink " + path);
    std::string target(buf, static_cast<size_t>(n));
    return clean_path(target[0] == '/' ? target : parent_path(path) + "/" + target);
}

static Result<UniqueFd> mkdir_all(int root, const std::string& path, mode_t mode, bool* followed,
                                  int depth) {
    if (depth > 40) return sys_error("mkdir " + path, ELOOP);
    int fd = openat2_in_root(root, path, O_PATH | O_DIRECTORY, followed);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != ENOENT || path == "/") return sys_error("open " + path);
    UniqueFd parent = SKIFF_TRY(mkdir_all(root, parent_path(path), mode, followed, depth + 1));
    std::string base = base_name(path);
    if (mkdirat(parent.get(), base.c_str(), mode) == 0) {
        fd = openat(parent.get(), base.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return sys_error("open " + path);
        return UniqueFd(fd);
    }
    if (errno != EEXIST) return sys_error("mkdir " + path);
    // Created concurrently, or a dangling symlink: follow it inside the root.
    fd = openat2_in_root(root, path, O_PATH | O_DIRECTORY, followed);
    if (fd >= 0) return UniqueFd(fd);
    std::string target = SKIFF_TRY(symlink_target_in_root(parent.get(), path));
    if (followed) *followed = true;
    return mkdir_all(root, target, mode, followed, depth + 1);
}

Result<UniqueFd> mkdir_all_in_root(int root, const std::string& path, mode_t mode,
                                   bool* followed) {
    return mkdir_all(root, clean_path(path), mode, followed, 0);
}

static Result<UniqueFd> create_file(int root, const std::string& path, mode_t mode,
                                    bool* followed, int depth) {
    if (depth > 40) return sys_error("create " + path, ELOOP);
    int fd = openat2_in_root(root, path, O_PATH, followed);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != ENOENT || path == "/") return sys_error("open " + path);
    UniqueFd parent = SKIFF_TRY(mkdir_all(root, parent_path(path), 0755, followed, 0));
    std::string base = base_name(path);
    fd = openat(parent.get(), base.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
                mode);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EEXIST) return sys_error("create " + path);
    fd = openat2_in_root(root, path, O_PATH, followed);
    if (fd >= 0) return UniqueFd(fd);
    std::string target = SKIFF_TRY(symlink_target_in_root(parent.get(), path));
    if (followed) *followed = true;
    return create_file(root, target, mode, followed, depth + 1);
}

Result<UniqueFd> create_file_in_root(int root, const std::string& path, mode_t mode,
                                     bool* followed) {
    return create_file(root, clean_path(path), mode, followed, 0);
}

Result<std::string> path_in_root(int fd, const std::string& rootfs) {
    char buf[4096];
    ssize_t n = readlink(proc_fd_path(fd).c_str(), buf, sizeof buf - 1);
    if (n < 0) return sys_error("readlink " + proc_fd_path(fd));
    std::string p(buf, static_cast<size_t>(n));
    if (rootfs == "/") return p;
    if (p == rootfs) return std::string("/");
    if (p.size() > rootfs.size() && p.compare(0, rootfs.size(), rootfs) == 0 &&
        p[rootfs.size()] == '/')
        return p.substr(rootfs.size());
    return std::string();
}

} // namespace skiff::runtime::linux
