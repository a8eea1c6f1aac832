#include "monitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "lifecycle.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"
#include "stdio.hpp"
#include "store.hpp"

namespace skiff::skiffcli {
namespace {

// Takes monitor.lock for the life of this process (the fd stays open, close-on-exec). Called
// under the record lock with a record that says the container does not run, so a holder is on
// its way out: the previous monitor between recording the exit and exiting, or another
// command's monitor_alive() probe (a shared lock for a moment). Wait for it, up to
// kMonitorGoneMs, rather than call the container running.
constexpr int kMonitorGoneMs = 10000;
Result<Fd> take_monitor_lock(const Globals& g, const std::string& id) {
    std::string path = monitor_lock_path(g.root, id);
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return errno_error("open " + path);
    for (int waited_ms = 0; ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0; ++waited_ms) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) return errno_error("flock " + path);
        if (waited_ms >= kMonitorGoneMs) return Error{"container " + id + " is already running", EBUSY};
        ::usleep(1000);
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
        auto now = reconcile_locked(g, p.rec);
        if (!now) return Error{"No such container: " + id, ENOENT};
        p.rec = *now;
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
    // monitor.lock goes last: free, it says nobody watches, and a start in between would
    // launch a container whose runtime state this record_exit then removes.
    record_exit(g, id, code);
    prep.monitor_lock.reset();
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
        // The monitor keeps nothing of the command that started it: no terminal, no locks of
        // the image store, no pipes a caller of `skiff run -d` waits on.
        int status = detach_from_command(sp[1]);
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        monitor_main(g, id, status);
    }
    ::close(sp[1]);
    debug_log(g, "container " + id + ": detached monitor forked (via pid " + std::to_string(child) + ")");
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

