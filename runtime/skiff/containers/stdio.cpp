#include "stdio.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "lifecycle.hpp"
#include "lifecycle/terminal.hpp"
#include "skiff/runtime/runtime.hpp"
#include "log_file.hpp"
#include "store.hpp"

namespace skiff::skiffcli {
namespace {

Result<Fd> recv_master(int listener) {
    Fd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return errno_error("accept console socket");
    return runtime::recv_fd(conn.get());
}

Result<Fd> listen_console(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return Error{"console socket path too long: " + path};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return errno_error("socket");
    ::unlink(path.c_str());
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return errno_error("bind " + path);
    if (::listen(s.get(), 1) != 0) return errno_error("listen " + path);
    return s;
}

Result<void> mkdir_p(const std::string& path) {
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i < path.size() && path[i] != '/') continue;
        std::string p = path.substr(0, i);
        if (::mkdir(p.c_str(), 0700) != 0 && errno != EEXIST) return errno_error("mkdir " + p);
    }
    return ok();
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

} // namespace

void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (w <= 0) return; // a reader that went away must not stop the container's output
        p += w;
        n -= size_t(w);
    }
}

Result<Fd> pipe_pair(Fd& other) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return errno_error("pipe2");
    other.reset(p[1]);
    return Fd(p[0]);
}

Result<void> open_null(Io& io, int slot, int flags) {
    io.child_owned[slot].reset(::open("/dev/null", flags | O_CLOEXEC));
    if (!io.child_owned[slot]) return errno_error("open /dev/null");
    io.child[slot] = io.child_owned[slot].get();
    return ok();
}

Result<void> output_pipes(Io& io) {
    io.out = SKIFF_TRY(pipe_pair(io.child_owned[1]));
    io.err = SKIFF_TRY(pipe_pair(io.child_owned[2]));
    io.child[1] = io.child_owned[1].get();
    io.child[2] = io.child_owned[2].get();
    return ok();
}

Result<pid_t> launch(const Globals& g, const Record& r, Io& io) {
    auto ctx = runtime_context(g);
    SKIFF_CHECK(mkdir_p(g.runroot));
    std::string sock;
    Fd listener;
    if (r.tty) {
        sock = g.runroot + "/" + r.id.substr(0, 16) + ".console";
        listener = SKIFF_TRY(listen_console(sock));
    }
    int saved[3];
    for (int i = 0; i < 3; ++i) {
        saved[i] = ::fcntl(i, F_DUPFD_CLOEXEC, 3);
        if (io.child[i] >= 0 && io.child[i] != i) ::dup2(io.child[i], i);
    }
    runtime::RunOptions ro;
    ro.create.id = r.id;
    ro.create.bundle = container_dir(g.root, r.id);
    ro.create.console_socket = sock;
    const std::string pid_file = g.runroot + "/" + r.id.substr(0, 16) + ".pid";
    ro.create.pid_file = pid_file;
    ro.detach = true;
    auto ran = runtime::run(ctx, ro);
    for (int i = 0; i < 3; ++i) {
        if (saved[i] >= 0) {
            ::dup2(saved[i], i);
            ::close(saved[i]);
        } else {
            ::close(i);
        }
        io.child_owned[i].reset();
    }
    if (!sock.empty()) ::unlink(sock.c_str());
    if (!ran) {
        ::unlink(pid_file.c_str());
        return std::move(ran).error();
    }
    if (r.tty) {
        auto m = recv_master(listener.get());
        if (!m) {
            (void)runtime::remove(ctx, r.id, true);
            return std::move(m).error();
        }
        io.master = std::move(*m);
    }
    // Not runtime::state: a process that is quick has exited by now and state says pid 0.
    auto text = read_whole_file(pid_file);
    ::unlink(pid_file.c_str());
    pid_t pid = text ? pid_t(std::atoi(text->c_str())) : 0;
    if (pid <= 0) {
        (void)runtime::remove(ctx, r.id, true);
        return Error{"container started but its pid file " + pid_file + " is unreadable"};
    }
    return pid;
}

int detach_from_command(int keep) {
    ::setsid();
    pid_t p = ::fork();
    if (p != 0) ::_exit(p < 0 ? 1 : 0);
    // Out of the way of stdio first (it may sit on 0-2), then on 3.
    int high = ::fcntl(keep, F_DUPFD, 10);
    int null = ::open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; ++i)
        if (null != i) ::dup2(null, i);
    ::dup3(high, 3, O_CLOEXEC);
    ::syscall(SYS_close_range, 4U, ~0U, 0);
    if (::chdir("/") != 0) {
    }
    return 3;
}

Result<DetachedConsole> open_exec_console(const Globals& g, const std::string& id) {
    SKIFF_CHECK(mkdir_p(g.runroot));
    DetachedConsole c;
    c.path = g.runroot + "/" + id.substr(0, 16) + ".exec-" + std::to_string(::getpid()) + ".console";
    c.listener = SKIFF_TRY(listen_console(c.path));
    return c;
}

void close_exec_console(DetachedConsole& c) {
    if (!c.path.empty()) ::unlink(c.path.c_str());
    c.path.clear();
    c.listener.reset();
}

Result<void> hold_console(DetachedConsole& c) {
    // The runtime has connected and sent the master before it returned: accept cannot block.
    auto master = recv_master(c.listener.get());
    close_exec_console(c);
    if (!master) return std::move(master).error();
    pid_t child = ::fork();
    if (child < 0) return errno_error("fork");
    if (child == 0) {
        const int m = detach_from_command(master->get());
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(m, buf, sizeof buf);
            if (n > 0 || (n < 0 && errno == EINTR)) continue;
            ::_exit(0); // EIO: no slave end is open any more
        }
    }
    int st;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    return ok();
}

int watch(pid_t pid, Io& io, const Sinks& s, int sfd) {
    auto log = [&](Stream st, const char* buf, size_t n) {
        if (!io.log) return;
        std::string e = format_log_entries(st, std::string_view(buf, n), rfc3339_now());
        write_all(io.log.get(), e.data(), e.size());
    };
    int code = -1;
    bool in_open = s.stdin_src >= 0 && io.master;
    std::chrono::steady_clock::time_point drain_until{};
    char buf[32768];
    for (;;) {
        bool any_source = io.out || io.err || io.master;
        if (code >= 0) {
            if (!any_source) break;
            if (std::chrono::steady_clock::now() >= drain_until) break;
        }
        pollfd p[5] = {{sfd, POLLIN, 0},
                       {io.out.get(), POLLIN, 0},
                       {io.err.get(), POLLIN, 0},
                       {io.master.get(), POLLIN, 0},
                       {in_open ? s.stdin_src : -1, POLLIN, 0}};
        // The SIGCHLD wakes us; the once-a-second look at the pid is a safety net so a lost
        // or coalesced wake-up can never leave `run` waiting forever on a process gone.
        int timeout = code >= 0 ? 50 : 1000;
        int n = ::poll(p, 5, timeout);
        if (n < 0 && errno != EINTR) break;
        if (n == 0 && code < 0) {
            int st = 0;
            pid_t w = ::waitpid(pid, &st, WNOHANG);
            if (w == pid || (w < 0 && errno == ECHILD)) {
                code = w == pid ? exit_code_of(st) : 255; // reaped elsewhere: status unknown
                drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            }
            continue;
        }
        if (n <= 0) continue;
        auto drain = [&](Fd& src, Stream st, int sink, short rev) {
            if (!(rev & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t r = ::read(src.get(), buf, sizeof buf);
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
            if (r <= 0) {
                src.reset(); // EOF, or EIO from a pty whose slave side is all closed
                return;
            }
            log(st, buf, size_t(r));
            if (sink >= 0) write_all(sink, buf, size_t(r));
        };
        drain(io.out, Stream::Stdout, s.out, p[1].revents);
        drain(io.err, Stream::Stderr, s.err, p[2].revents);
        drain(io.master, Stream::Stdout, s.out, p[3].revents);
        if (p[4].revents & (POLLIN | POLLHUP)) {
            ssize_t r = ::read(s.stdin_src, buf, sizeof buf);
            if (r > 0 && io.master) write_all(io.master.get(), buf, size_t(r));
            else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) in_open = false;
        }
        if (p[0].revents & POLLIN) {
            signalfd_siginfo si;
            while (::read(sfd, &si, sizeof si) == sizeof si) {
                int sig = int(si.ssi_signo);
                if (sig == SIGCHLD) {
                    int st;
                    pid_t w;
                    while ((w = ::waitpid(-1, &st, WNOHANG)) > 0)
                        if (w == pid && code < 0) {
                            code = exit_code_of(st);
                            // Whatever still holds its pipes dies with its pid namespace.
                            drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
                        }
                } else if (sig == SIGWINCH) {
                    winsize ws{};
                    if (io.master && ::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(io.master.get(), TIOCSWINSZ, &ws);
                } else if (s.forward_signals && code < 0 && pid > 0 && sig != SIGPIPE && sig != SIGURG) {
                    ::kill(pid, sig);
                }
                break;
            }
        }
    }
    if (code < 0) {
        int st = 0;
        pid_t w;
        while ((w = ::waitpid(pid, &st, 0)) < 0 && errno == EINTR) {
        }
        code = w == pid ? exit_code_of(st) : 255;
    }
    return code;
}

} // namespace skiff::skiffcli
