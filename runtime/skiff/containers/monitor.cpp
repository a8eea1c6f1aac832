#include "monitor.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "lifecycle.hpp"
#include "log_file.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"
#include "store.hpp"

namespace skiff::skiffcli {
namespace {

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

// The container's side of its stdio, and what we keep.
struct Io {
    int child[3] = {-1, -1, -1}; // what the init gets as 0, 1, 2
    Fd child_owned[3];           // the ends we made for it (closed once it has them)
    Fd out, err;                 // we read these (pipes)
    Fd stdin_keep;               // write end of its stdin pipe (detached -i): held open
    Fd master;                   // pty master with -t
    Fd log;
};

Result<Fd> recv_master(int listener) {
    Fd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return errno_error("accept console socket");
    char data[256];
    char cbuf[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    ssize_t n;
    while ((n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (n < 0) return errno_error("recvmsg console socket");
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return Error{"console socket: no terminal received"};
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return Fd(fd);
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

// runtime::run (detached: we keep the init as our child) with io.child as its stdio. Returns
// the init's pid.
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
    if (!ran) return std::move(ran).error();
    if (r.tty) {
        auto m = recv_master(listener.get());
        if (!m) {
            (void)runtime::remove(ctx, r.id, true);
            return std::move(m).error();
        }
        io.master = std::move(*m);
    }
    auto st = runtime::state(ctx, r.id);
    if (!st) return std::move(st).error();
    return st->pid;
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

struct Sinks {
    int out = -1, err = -1; // our stdout/stderr when attached
    int stdin_src = -1;     // our stdin, copied to the pty with -it
    bool forward_signals = false;
};

// Copies the container's output until the init exits and its output ends; returns its exit
// code. All signals are blocked by the caller; sfd reads them.
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
        int timeout = code >= 0 ? 50 : -1;
        int n = ::poll(p, 5, timeout);
        if (n < 0 && errno != EINTR) break;
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
                } else if (s.forward_signals && code < 0 && sig != SIGPIPE && sig != SIGURG) {
                    ::kill(pid, sig);
                }
                break;
            }
        }
    }
    if (code < 0) {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        code = exit_code_of(st);
    }
    return code;
}

// Takes monitor.lock for the life of this process (the fd stays open, close-on-exec).
Result<Fd> take_monitor_lock(const Globals& g, const std::string& id) {
    std::string path = monitor_lock_path(g.root, id);
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return errno_error("open " + path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return Error{"container " + id + " is already running", EBUSY};
        return errno_error("flock " + path);
    }
    return fd;
}

struct Prepared {
    Record rec;
    Fd monitor_lock;
    RecordLock lock;
};

// Under the record lock: the container exists, is not running, has its rootfs mounted (it
// may not be after a reboot) and no stale runtime state.
Result<Prepared> prepare(const Globals& g, const std::string& id) {
    Prepared p;
    p.lock = SKIFF_TRY(lock_record(g.root, id));
    p.rec = SKIFF_TRY(load_record(g.root, id));
    if (p.rec.state == State::Running) {
        p.rec = refresh(g, p.rec);
        if (p.rec.state == State::Running) return Error{"container " + id + " is already running", EBUSY};
    }
    p.monitor_lock = SKIFF_TRY(take_monitor_lock(g, id));
    if (p.rec.state == State::Exited) {
        // A restart: the previous run's state is gone unless a crash left it.
        (void)runtime::remove(runtime_context(g), id, true);
        auto store = SKIFF_TRY(image::Store::open(g.root));
        SKIFF_CHECK(image::mount_rootfs(store, id));
    }
    return p;
}

Result<void> mark_running(const Globals& g, Record& r, pid_t pid) {
    r.state = State::Running;
    r.pid = pid;
    r.exit_code = 0;
    r.error.clear();
    r.started_at = rfc3339_now();
    r.finished_at = kZeroTime;
    return save_record(g.root, r);
}

// A start that failed: docker keeps the container as created with the exit code it reports.
void mark_failed(const Globals& g, Record& r, const Error& e) {
    if (r.auto_remove) {
        (void)remove_files(g, r);
        return;
    }
    r.exit_code = start_exit_code(e);
    r.error = e.message;
    (void)save_record(g.root, r);
}

Result<Fd> open_log(const Globals& g, const std::string& id) {
    std::string path = log_path(g.root, id);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!fd) return errno_error("open " + path);
    return fd;
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

// The detached monitor's life after the double fork; `status` gets one line: "0" or
// "<exit code> <error>".
[[noreturn]] void monitor_main(const Globals& g, const std::string& id, int status) {
    auto report = [&](int code, const std::string& msg) {
        std::string line = std::to_string(code) + (msg.empty() ? "" : " " + msg) + "\n";
        write_all(status, line.data(), line.size());
        ::close(status);
    };
    auto prep = prepare(g, id);
    if (!prep) {
        report(kExitError, prep.error().message);
        ::_exit(1);
    }
    Record& r = prep->rec;
    Io io;
    auto setup = [&]() -> Result<void> {
        io.log = SKIFF_TRY(open_log(g, id));
        if (r.tty) {
            // The init puts the pty on 0-2; ours stay /dev/null.
            return ok();
        }
        if (r.open_stdin) {
            Fd keep;
            io.child_owned[0] = SKIFF_TRY(pipe_pair(keep));
            io.stdin_keep = std::move(keep); // nobody writes, but its stdin stays open (docker -di)
            io.child[0] = io.child_owned[0].get();
        } else {
            SKIFF_CHECK(open_null(io, 0, O_RDONLY));
        }
        return output_pipes(io);
    }();
    if (!setup) {
        report(kExitError, setup.error().message);
        ::_exit(1);
    }
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);
    int sfd = ::signalfd(-1, &all, SFD_CLOEXEC);
    auto pid = launch(g, r, io);
    if (!pid) {
        mark_failed(g, r, pid.error());
        report(start_exit_code(pid.error()), pid.error().message);
        ::_exit(1);
    }
    (void)mark_running(g, r, *pid);
    prep->lock = RecordLock();
    report(0, "");
    int code = watch(*pid, io, Sinks{}, sfd);
    record_exit(g, id, code);
    ::_exit(0);
}

} // namespace

int start_exit_code(const Error& e) {
    if (e.message.find("executable file not found") != std::string::npos) return kExitNotFound;
    if (e.message.find("no such file or directory") != std::string::npos &&
        e.message.find("exec") != std::string::npos)
        return kExitNotFound;
    if (e.code == EACCES || e.message.find("ermission denied") != std::string::npos) return kExitCannotRun;
    return kExitError;
}

Result<int> run_attached(const Globals& g, const std::string& id, const AttachOptions& o) {
    auto prep = SKIFF_TRY(prepare(g, id));
    Record& r = prep.rec;
    Io io;
    // An --rm container's log dies with it: give it our stdout and stderr themselves and skip
    // the copying (the fast path of `run --rm`).
    const bool direct = r.auto_remove && !r.tty;
    if (!r.tty) {
        if (o.stdin) io.child[0] = 0;
        else SKIFF_CHECK(open_null(io, 0, O_RDONLY));
        if (direct) {
            io.child[1] = 1;
            io.child[2] = 2;
        } else {
            io.log = SKIFF_TRY(open_log(g, id));
            SKIFF_CHECK(output_pipes(io));
        }
    } else {
        io.log = SKIFF_TRY(open_log(g, id));
    }
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old);
    int sfd = ::signalfd(-1, &all, SFD_CLOEXEC);
    auto restore = [&] {
        if (sfd >= 0) ::close(sfd);
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
    };
    auto pid = launch(g, r, io);
    if (!pid) {
        restore();
        mark_failed(g, r, pid.error());
        Error e = pid.error();
        e.code = start_exit_code(e);
        return e;
    }
    (void)mark_running(g, r, *pid);
    prep.lock = RecordLock();

    termios saved{};
    bool raw = r.tty && o.stdin && ::isatty(0) && ::tcgetattr(0, &saved) == 0;
    if (raw) {
        termios t = saved;
        ::cfmakeraw(&t);
        ::tcsetattr(0, TCSANOW, &t);
    }
    if (io.master) {
        winsize ws{};
        if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(io.master.get(), TIOCSWINSZ, &ws);
    }
    Sinks s;
    s.out = 1;
    s.err = 2;
    s.stdin_src = r.tty && o.stdin ? 0 : -1;
    s.forward_signals = true;
    int code = watch(*pid, io, s, sfd);
    if (raw) ::tcsetattr(0, TCSANOW, &saved);
    restore();
    prep.monitor_lock.reset();
    record_exit(g, id, code);
    return code;
}

Result<void> start_detached(const Globals& g, const std::string& id) {
    int sp[2];
    if (::pipe2(sp, O_CLOEXEC) != 0) return errno_error("pipe2");
    pid_t child = ::fork();
    if (child < 0) {
        int err = errno;
        ::close(sp[0]);
        ::close(sp[1]);
        return errno_error("fork", err);
    }
    if (child == 0) {
        ::setsid();
        pid_t m = ::fork();
        if (m != 0) ::_exit(m < 0 ? 1 : 0);
        // The monitor keeps nothing of the command that started it: no terminal, no locks of
        // the image store, no pipes a caller of `skiff run -d` waits on.
        int status = sp[1];
        if (status > 3) ::syscall(SYS_close_range, 3, unsigned(status - 1), 0);
        ::syscall(SYS_close_range, unsigned(status + 1), ~0U, 0);
        int null = ::open("/dev/null", O_RDWR);
        for (int i = 0; i < 3; ++i)
            if (null != i) ::dup2(null, i);
        if (null > 2) ::close(null);
        if (::chdir("/") != 0) {
        }
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        monitor_main(g, id, status);
    }
    ::close(sp[1]);
    int st;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    std::string line;
    char c;
    for (;;) {
        ssize_t n = ::read(sp[0], &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || c == '\n') break;
        line += c;
    }
    ::close(sp[0]);
    if (line.empty()) return Error{"container monitor exited before starting the container"};
    if (line == "0") return ok();
    auto sp_at = line.find(' ');
    int code = std::atoi(line.substr(0, sp_at).c_str());
    return Error{sp_at == std::string::npos ? "start failed" : line.substr(sp_at + 1), code};
}

} // namespace skiff::skiffcli
