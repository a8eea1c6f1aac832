// The record of one container of the `skiff` CLI: what `create` decided (image, command, host
// settings) and what happened since (state, pid, exit code, times). It lives next to the bundle
// as <root>/containers/<id>/container.json, replaced atomically (temp file + rename) so readers
// never see half a record; writers serialize on the record lock (store.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

// docker's State.Status values skiff uses.
enum class State { Created, Running, Exited };
const char* to_string(State s);

inline constexpr const char* kZeroTime = "0001-01-01T00:00:00Z"; // docker's "never"

struct Record {
    std::string id;   // 64 hex digits
    std::string name; // without docker's leading "/"
    std::string created; // RFC 3339 with nanoseconds, UTC
    std::string image;   // as the user named it
    std::string image_id; // config digest, "sha256:..."

    // Config: what the process is.
    std::vector<std::string> args; // the whole command line: Path is args[0]
    std::vector<std::string> entrypoint, cmd; // effective, after the user's overrides
    std::vector<std::string> env;
    std::string user, working_dir, hostname;
    bool tty = false, open_stdin = false;

    // HostConfig
    std::string isolation = "container";
    std::string network = "none";
    int64_t memory = 0;     // bytes, 0: unlimited
    int64_t nano_cpus = 0;  // --cpus * 1e9
    int64_t pids_limit = 0; // 0: unlimited
    bool read_only = false;
    bool auto_remove = false;
    std::vector<std::string> binds; // "/host:/ctr[:ro]"
    std::string stop_signal;        // image's StopSignal, "" for SIGTERM

    // State
    State state = State::Created;
    pid_t pid = 0;         // host pid of the container's init while running
    int exit_code = 0;
    std::string error;     // why the last start failed
    std::string started_at = kZeroTime, finished_at = kZeroTime;
};

std::string dump_record(const Record& r);
// `source` names the file in errors.
Result<Record> parse_record(const std::string& text, const std::string& source);

// Now as RFC 3339 with nanoseconds, UTC ("2026-11-23T21:13:17.123456789Z").
std::string rfc3339_now();

} // namespace skiff::skiffcli
