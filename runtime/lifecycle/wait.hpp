// The foreground wait of `run` and `exec`: forwards every signal we receive to the process,
// proxies its terminal when we hold the pty master, reaps re-parented orphans (we are a
// subreaper), and returns the exit code: the status, or 128+signal when it was killed.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace skiff::runtime {

// All signals must be blocked by the caller; `old_mask` is restored for nothing but is used to
// know which signals the caller itself had blocked. master_fd is -1 without a terminal.
int wait_forwarding(pid_t pid, int master_fd, const sigset_t* old_mask);

} // namespace skiff::runtime
