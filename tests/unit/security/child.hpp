// Every security setting changes the calling process for good, so each test applies it in a
// forked child that reports what a user would see through a pipe; the test asserts on that
// report and on how the child ended (exit code, or the signal that killed it).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace skiff::test {

inline bool is_root() { return geteuid() == 0; }

#define SKIFF_NEED_ROOT()                                                                          \
    do {                                                                                           \
        if (!skiff::test::is_root()) {                                                             \
            WARN("skipped: needs root");                                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

struct Child {
    pid_t pid = -1;
    int out = -1; // read end of the child's report pipe
};

struct Exit {
    bool signaled = false;
    int code = -1;   // exit status when !signaled
    int signal = 0;  // terminating signal when signaled
    std::string out; // everything the child reported
};

// Writes all of `text` to fd (the child's report channel); async-signal-safe enough for a child.
inline void say(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

// Runs body(report_fd) in a forked child; the child exits with body's return value.
template <class F>
Child spawn(F&& body) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        int code = body(fds[1]);
        _exit(code);
    }
    close(fds[1]);
    return {pid, fds[0]};
}

// Kills and reaps a spawned child if the test stops early (a failed REQUIRE), so no child is
// left blocked, e.g. in a notified syscall nobody will answer.
struct KillOnExit {
    pid_t pid;
    ~KillOnExit() {
        if (pid <= 0) return;
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
};

inline std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// Reads one '\n'-terminated line (without it); "" at EOF.
inline std::string read_line(int fd) {
    std::string line;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
}

inline Exit finish(Child child) {
    Exit e;
    e.out = read_all(child.out);
    close(child.out);
    int status = 0;
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        e.signaled = true;
        e.signal = WTERMSIG(status);
    } else {
        e.code = WEXITSTATUS(status);
    }
    return e;
}

template <class F>
Exit run_in_child(F&& body) {
    return finish(spawn(std::forward<F>(body)));
}

// A line of /proc/self/status ("CapEff") as its value text ("0000000000000020").
inline std::string status_field(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            auto v = line.substr(key.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    }
    return "";
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Looks up "key=value" in a report made of such lines.
inline std::string field(const std::string& report, const std::string& key) {
    std::istringstream in(report);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    return "<no " + key + " in report: " + report + ">";
}

} // namespace skiff::test
