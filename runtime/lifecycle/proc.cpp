#include "proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace skiff::runtime {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return std::nullopt;
    buf[n] = 0;
    // comm (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    char* p = std::strrchr(buf, ')');
    if (!p || p[1] != ' ') return std::nullopt;
    p += 2;
    ProcStat st;
    st.state = *p;
    // Fields 3..22: after field 3 (state) we skip to field 22.
    int field = 3;
    char* save = nullptr;
    for (char* tok = ::strtok_r(p, " ", &save); tok; tok = ::strtok_r(nullptr, " ", &save), ++field) {
        if (field == 4) st.ppid = pid_t(std::strtol(tok, nullptr, 10));
        if (field == 22) {
            st.start_time = std::strtoull(tok, nullptr, 10);
            return st;
        }
    }
    return std::nullopt;
}

bool process_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return false;
    auto st = read_proc_stat(pid);
    if (!st) return false;
    if (st->state == 'Z' || st->state == 'X') return false;
    return start_time == 0 || st->start_time == start_time;
}

bool poll_until(const std::function<bool()>& done, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    useconds_t pause = 500;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        ::usleep(pause);
        pause = std::min<useconds_t>(pause * 2, 10000);
    }
    return true;
}

} // namespace skiff::runtime
