#include "hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "fd.hpp"
#include "interrupt.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {
namespace {

Result<UniqueFd> memfd_with(const char* name, const std::string& content) {
    UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
    if (!fd) return errno_error("memfd_create");
    size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
        if (n < 0) return errno_error("write memfd");
        off += size_t(n);
    }
    ::lseek(fd.get(), 0, SEEK_SET);
    return fd;
}

std::string read_all(int fd) {
    std::string out;
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < 65536) out.append(buf, size_t(n));
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    for (char& c : out)
        if (c == '\n') c = ' ';
    return out;
}

long now_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// Waits for `pid` for at most timeout_ms (<0: forever). Returns the wait status, or an error
// on timeout or interruption (the hook is killed and reaped then).
Result<int> wait_hook(pid_t pid, int timeout_ms, const oci::Hook& hook) {
    UniqueFd pidfd(int(::syscall(SYS_pidfd_open, pid, 0)));
    long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return errno_error("waitpid hook");
        int left = -1;
        if (deadline >= 0) {
            left = int(deadline - now_ms());
            if (left <= 0) {
                ::kill(-pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                char t[32];
                std::snprintf(t, sizeof t, "%.1fs", timeout_ms / 1000.0);
                return Error{std::string("hook ran past specified timeout of ") + t, ETIMEDOUT};
            }
        }
        if (int sig = interrupted()) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return Error{"interrupted by signal " + std::to_string(sig) + " while running " +
                             hook.path,
                         EINTR};
        }
        pollfd p{pidfd.get(), POLLIN, 0};
        if (pidfd) ::poll(&p, 1, left);
        else ::usleep(1000);
    }
}

Result<void> run_hook(const oci::Hook& hook, const std::string& state_json) {
    if (hook.path.empty() || hook.path[0] != '/')
        return Error{"hook path \"" + hook.path + "\" is not absolute"};
    auto in = SKIFF_TRY(memfd_with("hook-stdin", state_json));
    UniqueFd out(::memfd_create("hook-stdout", MFD_CLOEXEC));
    UniqueFd err(::memfd_create("hook-stderr", MFD_CLOEXEC));
    if (!out || !err) return errno_error("memfd_create");

    std::vector<char*> argv, envp;
    std::string path0 = hook.path;
    if (hook.args.empty()) argv.push_back(path0.data());
    for (const auto& a : hook.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : hook.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, out.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err.get(), 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // Its own process group, so that a timeout or an interrupted create kills what the hook
    // started too (a shell script's children would otherwise outlive it).
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, hook.path.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return errno_error("exec " + hook.path, rc);

    int timeout_ms = hook.timeout && *hook.timeout > 0 ? *hook.timeout * 1000 : -1;
    int status = SKIFF_TRY(wait_hook(pid, timeout_ms, hook));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
    std::string why = WIFEXITED(status)
                          ? "exit status " + std::to_string(WEXITSTATUS(status))
                          : std::string("signal: ") + ::strsignal(WTERMSIG(status));
    return Error{why + ", stdout: " + read_all(out.get()) + ", stderr: " + read_all(err.get())};
}

} // namespace

Result<void> run_hooks(const std::vector<oci::Hook>& hooks, const char* phase,
                       const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        if (debug_enabled())
            log_debug(std::string("running ") + phase + " hook #" + std::to_string(i) + " (" +
                      hooks[i].path + ")");
        auto r = run_hook(hooks[i], state_json);
        if (!r)
            return r.error().wrap("error running " + std::string(phase) + " hook #" +
                                  std::to_string(i) + " (" + hooks[i].path + ")");
    }
    return ok();
}

} // namespace skiff::runtime
