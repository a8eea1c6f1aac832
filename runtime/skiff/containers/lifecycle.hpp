// What commands do to containers beyond starting them: keep records true (a monitor that died,
// a host that rebooted), record an exit, stop, remove.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "record.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::skiffcli {

// The runtime library's context for the CLI's containers (state under --runroot).
runtime::Context runtime_context(const Globals& g);

// -D/--debug: the runtime library's debug log (the steps skiff-runtime --debug shows) on our
// stderr, and the CLI's own steps with it, in the same `level=debug` lines.
void debug_log(const Globals& g, const std::string& message);

// A record saying "running" whose monitor is gone is checked against the runtime: when the
// container is gone too (it died unwatched, or the host rebooted and took --runroot with it)
// it is recorded as exited with code 255, as docker does for containers it lost, and the
// runtime's leftover state (cgroup, state directory) is removed. Returns the record as it is
// now, nullopt when it was an --rm container and is gone now. Cheap when the monitor lives
// (one open + flock).
std::optional<Record> refresh(const Globals& g, const Record& r);
// refresh for a caller that holds the record lock already and loaded `r` under it. flock
// locks of two open files conflict even in one process, so refresh there would wait forever.
std::optional<Record> reconcile_locked(const Globals& g, Record r);

// refresh, then: does it run?
bool is_running(const Globals& g, const Record& r);

// The monitor's last step: under the record lock, remove the runtime state, then record the
// exit (or, with --rm, remove the container). Gone already (rm -f): nothing to do.
void record_exit(const Globals& g, const std::string& id, int exit_code);

// Removes a container: refuses a running one unless force (then SIGKILL). docker's error:
// "You cannot remove a running container <id>. Stop the container before attempting removal
// or force remove".
Result<void> remove_container(const Globals& g, const std::string& id, bool force);

// docker stop: the image's stop signal (SIGTERM by default), SIGKILL after `timeout` seconds
// (< 0: wait forever), then waits for the monitor to record the exit.
Result<void> stop_container(const Globals& g, const std::string& id, int timeout);

// The loop of rm, stop and kill, docker's way: `act` on each container named in refs; each
// name is printed as given when it succeeded, the error otherwise; 1 when any failed.
int each_container(const Globals& g, const std::vector<std::string>& refs,
                   const std::function<Result<void>(const std::string& id, const std::string& ref)>& act);

// Removes the overlay, the directory and the name of a container whose runtime state is gone.
Result<void> remove_files(const Globals& g, const Record& r);

} // namespace skiff::skiffcli
