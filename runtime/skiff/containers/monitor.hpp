// Running a container of the `skiff` CLI: the process that starts it stays its parent and
// watches it, conmon's job under podman. It holds monitor.lock (store.hpp), owns the
// container's stdio (pipes, or the pty master with -t), writes every output line to the log
// (log_file.hpp), reaps the init, records the exit code and finish time, removes the runtime
// state and, with --rm, the whole container. It holds no lock while it waits, so stop, kill
// and rm -f never wait for it.
//
// Foreground `run` and `start -a` are their own monitor (no extra process, the fast path);
// `run -d` and `start` fork a detached one (double fork, setsid, child subreaper).
#pragma once

#include <string>

#include "command.hpp"
#include "record.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

struct AttachOptions {
    bool stdin = false; // -i: our stdin goes to the container
};

// Starts the (created or exited) container and waits for it attached to our stdio. Returns
// its exit code (128+signal when killed). A failure to start is an error whose code says
// what docker would exit with (start_exit_code).
Result<int> run_attached(const Globals& g, const std::string& id, const AttachOptions& o);

// Starts it under a detached monitor; returns once it runs (or failed to start).
Result<void> start_detached(const Globals& g, const std::string& id);

// docker's exit codes for a container that could not start: 127 command not found, 126 not
// executable, 125 anything else.
int start_exit_code(const Error& e);

} // namespace skiff::skiffcli
