#include "fs.hpp"

#include <atomic>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <vector>

namespace skiff::image::fs {

Result<std::string> read_file(const std::string& path, size_t max_size) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    std::string out;
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read " + path);
        }
        if (n == 0) break;
        if (out.size() + size_t(n) > max_size)
            return Error{"read " + path + ": larger than " + std::to_string(max_size) + " bytes"};
        out.append(buf, size_t(n));
    }
    return out;
}

Result<void> write_all(int fd, const void* data, size_t len, const std::string& what) {
    auto p = static_cast<const char*>(data);
    while (len > 0) {
        ssize_t n = ::write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("write " + what);
        }
        p += n;
        len -= size_t(n);
    }
    return ok();
}

Result<void> fsync_dir(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return errno_error("open " + dir);
    if (::fsync(fd.get()) < 0) return errno_error("fsync " + dir);
    return ok();
}

std::string dirname(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string temp_name(std::string_view prefix) {
    static std::atomic<unsigned> counter{0};
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::string(prefix) + ".tmp-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++) + "-" + std::to_string(rng() % 1000000);
}

namespace {

Result<void> write_and_rename(const std::string& path, std::string_view data, mode_t mode,
                              bool durable) {
    std::string dir = dirname(path);
    std::string tmp = dir + "/" + temp_name(path.substr(dir.size() + 1));
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd) return errno_error("create " + tmp);
    auto r = write_all(fd.get(), data.data(), data.size(), tmp);
    // The content must be on disk before the rename is, or a crash can leave an empty file
    // under the new name.
    if (r && durable && ::fsync(fd.get()) < 0) r = errno_error("fsync " + tmp);
    fd.reset();
    if (r && ::rename(tmp.c_str(), path.c_str()) < 0) r = errno_error("rename " + tmp + " to " + path);
    if (!r) {
        ::unlink(tmp.c_str());
        return r;
    }
    // And the rename itself, before the caller reports success.
    return durable ? fsync_dir(dir) : ok();
}

} // namespace

Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
    return write_and_rename(path, data, mode, true);
}

Result<void> replace_file(const std::string& path, std::string_view data, mode_t mode) {
    return write_and_rename(path, data, mode, false);
}

Result<void> mkdir_p(const std::string& path, mode_t mode) {
    if (path.empty()) return ok();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return ok();
        return Error{"mkdir " + path + ": exists and is not a directory", ENOTDIR};
    }
    auto parent = dirname(path);
    if (parent != path && parent != "." && parent != "/") SKIFF_CHECK(mkdir_p(parent, mode));
    if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return errno_error("mkdir " + path);
    return ok();
}

bool exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

Result<void> remove_tree_at(int dirfd, const std::string& name) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return ok();
    if (errno != EISDIR && errno != EPERM) return errno_error("unlink " + name);
    Fd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return errno_error("open " + name);
    DIR* d = ::fdopendir(::dup(fd.get()));
    if (!d) return errno_error("opendir " + name);
    std::vector<std::string> names;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    for (const auto& n : names) {
        auto r = remove_tree_at(fd.get(), n);
        if (!r) return r.error().wrap(name);
    }
    fd.reset();
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
        return errno_error("rmdir " + name);
    return ok();
}

Result<void> remove_tree(const std::string& path) {
    std::string dir = dirname(path);
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return ok();
        return errno_error("open " + dir);
    }
    auto r = remove_tree_at(fd.get(), path.substr(path.rfind('/') + 1));
    if (!r) return Error{"remove " + path + ": " + r.error().message, r.error().code};
    return ok();
}

} // namespace skiff::image::fs
