#include "wait.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace skiff::runtime {
namespace {

// false when `from` is done (EOF or error).
bool pump(int from, int to) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, size_t(n - off));
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return true; // the reader went away; keep draining the source
        }
        off += w;
    }
    return true;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

} // namespace

int wait_forwarding(pid_t pid, int master_fd, const sigset_t*) {
    sigset_t all;
    sigfillset(&all);
    int sfd = ::signalfd(-1, &all, SFD_CLOEXEC);

    termios saved{};
    bool raw = master_fd >= 0 && ::isatty(0) && ::tcgetattr(0, &saved) == 0;
    if (raw) {
        termios t = saved;
        ::cfmakeraw(&t);
        ::tcsetattr(0, TCSANOW, &t);
    }
    if (master_fd >= 0) {
        winsize ws{};
        if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master_fd, TIOCSWINSZ, &ws);
    }

    bool stdin_open = master_fd >= 0;
    bool master_open = master_fd >= 0;
    int code = -1;
    while (code < 0 || master_open) {
        pollfd p[3] = {{sfd, POLLIN, 0},
                       {master_open ? master_fd : -1, POLLIN, 0},
                       {stdin_open ? 0 : -1, POLLIN, 0}};
        // Once the process is gone, only drain what its terminal still holds.
        int timeout = code >= 0 ? 100 : -1;
        int n = ::poll(p, 3, timeout);
        if (n < 0 && errno != EINTR) break;
        if (n == 0 && code >= 0) break;
        if (p[1].revents & POLLIN) {
            if (!pump(master_fd, 1)) master_open = false;
        } else if (p[1].revents & (POLLHUP | POLLERR)) {
            master_open = false;
        }
        if (p[2].revents & (POLLIN | POLLHUP)) {
            if (!pump(0, master_fd)) stdin_open = false;
        }
        if (p[0].revents & POLLIN) {
            signalfd_siginfo si;
            while (::read(sfd, &si, sizeof si) == sizeof si) {
                int sig = int(si.ssi_signo);
                if (sig == SIGCHLD) {
                    int st;
                    pid_t r;
                    while ((r = ::waitpid(-1, &st, WNOHANG)) > 0)
                        if (r == pid) code = exit_code(st);
                } else if (sig == SIGWINCH) {
                    winsize ws{};
                    if (master_fd >= 0 && ::ioctl(0, TIOCGWINSZ, &ws) == 0)
                        ::ioctl(master_fd, TIOCSWINSZ, &ws);
                } else if (sig != SIGURG && code < 0) {
                    ::kill(pid, sig);
                }
                break;
            }
        }
        if (code < 0) { // SIGCHLD may have been merged with one we already consumed
            int st;
            pid_t r = ::waitpid(pid, &st, WNOHANG);
            if (r == pid) code = exit_code(st);
        }
    }
    if (code < 0) {
        int st;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        code = exit_code(st);
    }
    if (raw) ::tcsetattr(0, TCSANOW, &saved);
    if (sfd >= 0) ::close(sfd);
    return code;
}

} // namespace skiff::runtime
