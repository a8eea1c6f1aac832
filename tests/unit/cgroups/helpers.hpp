// Test helpers: forked children that wait for a go signal, unique cgroup names, file access.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "cgroups/cgroup.hpp"

namespace cgtest {

inline bool is_root() { return ::geteuid() == 0; }

#define CG_NEED_ROOT()                                                                             \
    do {                                                                                           \
        if (!cgtest::is_root()) {                                                                  \
            WARN("skipped: needs root");                                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

inline std::string unique_name(const char* tag) {
    static int n = 0;
    return std::string("skiff-test-") + tag + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(++n);
}

inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

inline void put(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

inline bool exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

// A forked child that blocks until go(), then runs fn and _exits with its result.
struct Child {
    pid_t pid = -1;
    int go_fd = -1;
    int status = 0;
    bool reaped = false;

    explicit Child(std::function<int()> fn) {
        int p[2], ready[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // Catch2's fatal-signal handlers would report a test failure from the child.
            for (int sig = 1; sig < 32; ++sig) ::signal(sig, SIG_DFL);
            ::close(p[1]);
            ::close(ready[0]);
            (void)!::write(ready[1], "r", 1);
            ::close(ready[1]);
            char c;
            if (::read(p[0], &c, 1) != 1) ::_exit(120);
            ::_exit(fn());
        }
        ::close(p[0]);
        ::close(ready[1]);
        char c;
        REQUIRE(::read(ready[0], &c, 1) == 1); // handlers reset before anyone signals it
        ::close(ready[0]);
        go_fd = p[1];
    }
    void go() {
        if (go_fd >= 0) {
            (void)!::write(go_fd, "x", 1);
            ::close(go_fd);
            go_fd = -1;
        }
    }
    // Waits up to `ms`; true when the child ended.
    bool wait(int ms = 10000) {
        if (reaped) return true;
        for (int i = 0; i < ms; ++i) {
            pid_t r = ::waitpid(pid, &status, WNOHANG);
            if (r == pid) {
                reaped = true;
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }
    bool killed_by(int sig) const { return reaped && WIFSIGNALED(status) && WTERMSIG(status) == sig; }
    int exit_code() const { return reaped && WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    ~Child() {
        if (go_fd >= 0) ::close(go_fd);
        if (!reaped && pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
    }
};

// utime + stime of a process in clock ticks, from /proc/<pid>/stat.
inline unsigned long long cpu_ticks(pid_t pid) {
    std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
    size_t rp = s.rfind(')');
    if (rp == std::string::npos) return 0;
    std::istringstream in(s.substr(rp + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> f; ++i) {
        if (i == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
        if (i == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
    }
    return utime + stime;
}

inline int busy_loop() {
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
    return 0;
}

// A cgroup destroyed on scope exit, so that a failed REQUIRE leaves nothing behind.
struct Guard {
    std::unique_ptr<skiff::runtime::cgroups::Cgroup> cg;
    ~Guard() {
        if (!cg) return;
        (void)cg->kill_all(SIGKILL);
        (void)cg->destroy();
    }
    skiff::runtime::cgroups::Cgroup* operator->() { return cg.get(); }
};

inline Guard make(const skiff::runtime::cgroups::Options& o, const skiff::oci::Resources* r) {
    auto c = skiff::runtime::cgroups::Cgroup::create(o, r);
    if (!c.ok()) FAIL("create: " << c.error().message);
    return Guard{std::move(*c)};
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

} // namespace cgtest
