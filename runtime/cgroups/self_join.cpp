// SelfJoin: the handles a freshly cloned init uses to join the container's cgroup by itself.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups {

SelfJoin& SelfJoin::operator=(SelfJoin&& o) noexcept {
    if (this != &o) {
        close();
        tasks_ = std::move(o.tasks_);
        unified_procs_ = std::exchange(o.unified_procs_, File{});
        unified_dir_ = std::exchange(o.unified_dir_, -1);
        o.tasks_.clear();
    }
    return *this;
}

void SelfJoin::close() {
    for (auto& f : tasks_)
        if (f.fd >= 0) ::close(f.fd);
    tasks_.clear();
    if (unified_procs_.fd >= 0) ::close(unified_procs_.fd);
    unified_procs_ = File{};
    if (unified_dir_ >= 0) ::close(unified_dir_);
    unified_dir_ = -1;
}

Result<void> SelfJoin::join(bool cloned_into) {
    auto write_zero = [](const File& f) -> Result<void> {
        ssize_t n;
        do n = ::write(f.fd, "0", 1);
        while (n < 0 && errno == EINTR);
        if (n != 1) return errno_error("cgroup join: write " + f.path + " \"0\"");
        return ok();
    };
    Result<void> r = ok();
    for (const auto& f : tasks_)
        if (r.ok()) r = write_zero(f);
    if (r.ok() && !cloned_into && unified_procs_.fd >= 0) r = write_zero(unified_procs_);
    close();
    return r;
}

namespace detail {

Result<SelfJoin> FsCgroup::open_self_join() const {
    SelfJoin j;
    auto open_file = [](const std::string& path, int flags) -> Result<SelfJoin::File> {
        int fd = ::open(path.c_str(), flags | O_CLOEXEC);
        if (fd < 0) return errno_error("cgroup join: open " + path);
        return SelfJoin::File{fd, path};
    };
    for (const auto& [ctrl, dir] : st_.v1) {
        const std::string tasks = join(dir, "tasks");
        bool seen = false;
        for (const auto& f : j.tasks_) seen = seen || f.path == tasks;
        if (seen) continue; // co-mounted controllers share one directory
        j.tasks_.push_back(SKIFF_TRY(open_file(tasks, O_WRONLY)));
    }
    if (!st_.unified.empty()) {
        j.unified_procs_ = SKIFF_TRY(open_file(join(st_.unified, "cgroup.procs"), O_WRONLY));
        j.unified_dir_ = SKIFF_TRY(open_file(st_.unified, O_PATH | O_DIRECTORY)).fd;
    }
    return j;
}

} // namespace detail
} // namespace skiff::runtime::cgroups
