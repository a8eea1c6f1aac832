// The embeddable container lifecycle library behind `skiff-runtime` (runc's verbs as calls).
// Every call locks the container's state directory for its duration, so concurrent commands on
// one container serialize. Errors are one-line messages (runc's wording where runc has one).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/oci/isolation.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"
#include "skiff/oci/state.hpp"

namespace skiff::runtime::cgroups {
struct Stats;
}

namespace skiff::runtime {

// The global flags.
struct Context {
    std::string root = "/run/skiff"; // --root
    bool systemd_cgroup = false;     // --systemd-cgroup
};

struct CreateOptions {
    std::string id;
    std::string bundle = ".";   // --bundle
    std::string pid_file;       // --pid-file
    std::string console_socket; // --console-socket
    int preserve_fds = 0;       // --preserve-fds (beyond stdio and $LISTEN_FDS)
    bool no_pivot = false;      // --no-pivot
    bool no_new_keyring = false; // --no-new-keyring
};

// What `state` and `list` show about one container.
struct ContainerInfo {
    std::string id;
    oci::Status status = oci::Status::Stopped;
    pid_t pid = 0; // 0 once stopped
    std::string bundle, rootfs;
    std::string created; // RFC 3339 with nanoseconds, UTC
    std::string owner;   // user owning the state directory (list only; state prints "")
    std::map<std::string, std::string> annotations;
};
// runc's layout: ociVersion id pid status bundle rootfs created owner [annotations].
std::string state_json(const ContainerInfo& info, int indent = 2);

// `create`: returns once the container is "created" (init waits on its exec fifo).
Result<void> create(const Context& ctx, const CreateOptions& opts);
// `start`: releases the init process, runs poststart hooks.
Result<void> start(const Context& ctx, const std::string& id);

struct RunOptions {
    CreateOptions create;
    bool detach = false; // --detach
    bool keep = false;   // --keep
    bool no_subreaper = false; // --no-subreaper
};
// `run`: create + start; in the foreground it forwards signals, proxies a terminal when the
// process has one and no console socket is given, waits and deletes the container (unless
// keep), and returns the exit code (128+signal when killed). Detached it returns 0 at once.
Result<int> run(const Context& ctx, const RunOptions& opts);

Result<ContainerInfo> state(const Context& ctx, const std::string& id);
Result<std::vector<ContainerInfo>> list(const Context& ctx);

// "KILL", "SIGKILL", "kill", "9" -> 9. Error: unknown signal "X".
Result<int> parse_signal(const std::string& text);
Result<void> kill(const Context& ctx, const std::string& id, int signal, bool all);
// `delete`: removes a stopped (or created) container; running ones only with force (SIGKILL).
Result<void> remove(const Context& ctx, const std::string& id, bool force);
// A container whose state the runtime lost (its root wiped, as by a reboot) may have left its
// cgroup: kills what is left in it and removes it, found from the bundle's config.json
// (linux.cgroupsPath) where create put it. Nothing there is fine. Refused while the runtime
// has state for id (remove's job).
Result<void> remove_lost(const Context& ctx, const std::string& id, const std::string& bundle);

Result<std::vector<pid_t>> pids(const Context& ctx, const std::string& id);
Result<void> pause(const Context& ctx, const std::string& id);
Result<void> resume(const Context& ctx, const std::string& id);
Result<void> update(const Context& ctx, const std::string& id, const oci::Resources& resources);
// Stats in runc's `events --stats` JSON layout: {"type":"stats","id":...,"data":{...}}.
Result<std::string> stats_event_json(const Context& ctx, const std::string& id);
// The `events` stream: a stats event every interval and an "oom" event when the container's
// cgroup records a new OOM kill; returns when the container stops.
Result<void> stream_events(const Context& ctx, const std::string& id, int interval_ms,
                           void (*emit)(const std::string& json_line));

struct ExecOptions {
    std::string id;
    oci::Process process;       // from --process or built from the flags by the CLI
    std::string console_socket; // --console-socket
    std::string pid_file;       // --pid-file
    bool detach = false;        // --detach
    int preserve_fds = 0;       // --preserve-fds
    bool ignore_paused = false; // --ignore-paused
};
// Runs a process in every namespace and the cgroup of a running container, with the
// container's confinement (seccomp, capabilities, apparmor, rlimits). Foreground: waits and
// returns its exit code. Detached: returns 0 once it runs.
Result<int> exec(const Context& ctx, const ExecOptions& opts);
// The process of an existing container's config (exec -p starts from this for defaults).
Result<oci::Process> container_process(const Context& ctx, const std::string& id);

// The OCI features document of this build (`features`).
std::string features_json();

// Isolation the annotation run.skiff.isolation selects (oci/isolation.hpp); unknown values are
// an error naming it.
using oci::Isolation;
using oci::kIsolationAnnotation;

// Logging of the CLI (runc's --log, --log-format, --debug): errors and debug lines.
enum class LogFormat { Text, Json };
void configure_log(const std::string& path, LogFormat format, bool debug);
void log_debug(const std::string& message);
// Whether --debug is on: callers test it before building a debug message on a hot path.
bool debug_enabled();
void log_info(const std::string& message);
void log_error(const std::string& message);
void log_warning(const std::string& message);

} // namespace skiff::runtime
