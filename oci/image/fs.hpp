// File helpers private to the image library: owned fds, whole-file reads, crash-safe writes and
// tree removal that never follows a symlink.
#pragma once

#include <string>
#include <string_view>
#include <unistd.h>

#include "skiff/oci/result.hpp"

namespace skiff::image::fs {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

Result<std::string> read_file(const std::string& path, size_t max_size = 64 << 20);
// Writes to a temp file in the same directory, fsyncs it, renames it over path, fsyncs the
// directory: a crash leaves the old or the new content, never a torn file.
Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// The same without the fsyncs, for files a crash may lose (per-container files; their readers
// handle an empty or missing file): readers never see a torn file while the system runs.
Result<void> replace_file(const std::string& path, std::string_view data, mode_t mode = 0644);
Result<void> write_all(int fd, const void* data, size_t len, const std::string& what);
Result<void> fsync_dir(const std::string& dir);
Result<void> mkdir_p(const std::string& path, mode_t mode = 0755);
// Removes path and everything below it; symlinks are removed, never followed. Absent is fine.
Result<void> remove_tree(const std::string& path);
Result<void> remove_tree_at(int dirfd, const std::string& name);
bool exists(const std::string& path);
// Copies what is below directory src_dir (an fd open for reading) into dst_dir with owners,
// modes, xattrs, times and hard links, never following a symlink (rootfs.cpp's copy fallback).
Result<void> copy_tree(int src_dir, int dst_dir);
std::string dirname(const std::string& path);
// A name unique to this process and call, for temp files: ".tmp-<pid>-<counter>-<random>".
std::string temp_name(std::string_view prefix);

} // namespace skiff::image::fs
