// The container's stdio as its monitor (monitor.hpp) sets it up and copies it: pipes or a pty
// master (received over a console socket), /dev/null where nothing is attached, the start
// through the runtime library with that stdio, and the copying loop that runs until the
// container has exited and its output has ended.
#pragma once

#include <sys/types.h>

#include <string>

#include "command.hpp"
#include "linux/unique_fd.hpp"
#include "record.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

using Fd = runtime::linux::UniqueFd;

// The container's side of its stdio, and what we keep.
struct Io {
    int child[3] = {-1, -1, -1}; // what the init gets as 0, 1, 2
    Fd child_owned[3];           // the ends we made for it (closed once it has them)
    Fd out, err;                 // we read these (pipes)
    Fd stdin_keep;               // write end of its stdin pipe (detached -i): held open
    Fd master;                   // pty master with -t
    Fd log;                      // container.log, when kept
};

// Where the copying loop sends what it reads, besides the log.
struct Sinks {
    int out = -1, err = -1; // our stdout/stderr when attached
    int stdin_src = -1;     // our stdin, copied to the pty with -it
    bool forward_signals = false;
};

// Writes everything, giving up quietly when the reader went away.
void write_all(int fd, const char* p, size_t n);
// A close-on-exec pipe: returns the read end, `write_end` gets the other.
Result<Fd> pipe_pair(Fd& write_end);
// io.child[slot] = /dev/null opened with flags.
Result<void> open_null(Io& io, int slot, int flags);
// io.child[1], [2] = new pipes whose read ends are io.out, io.err.
Result<void> output_pipes(Io& io);

// For a child of fork() that must outlive the command (the monitor, the pty holder): a new
// session, a second fork whose parent exits at once (the command's waitpid returns), nothing
// of the command kept but `keep`, moved to fd 3 (close-on-exec), /dev/null on 0-2, cwd /.
// Returns 3, in the grandchild only.
int detach_from_command(int keep);

// `exec -d -t`: the console socket the runtime sends the pty master to, then (hold) a
// detached process that keeps the master open and reads and discards what the process shows,
// as docker's daemon does, so the process neither gets a hangup nor blocks on a full pty. It
// ends when every slave end is closed (the process and what it started are gone).
struct DetachedConsole {
    std::string path;
    Fd listener;
};
Result<DetachedConsole> open_exec_console(const Globals& g, const std::string& id);
Result<void> hold_console(DetachedConsole& c);
void close_exec_console(DetachedConsole& c);

// runtime::run (detached: the init stays our child) with io.child as its stdio; with -t the
// pty master lands in io.master. Returns the init's pid.
Result<pid_t> launch(const Globals& g, const Record& r, Io& io);

// Copies the container's output (to the log and the sinks) until the init exits and its output
// ends; returns its exit code (128+signal when killed). All signals are blocked by the caller;
// sfd (a signalfd) reads them: SIGCHLD reaps, SIGWINCH resizes the pty, the rest go to the
// container when forward_signals.
int watch(pid_t pid, Io& io, const Sinks& s, int sfd);

} // namespace skiff::skiffcli
