// The runtime root (default /run/skiff): one directory per container holding state.json and,
// between create and start, exec.fifo. Every command takes an exclusive flock on the
// container's directory; state.json is replaced atomically (write temp, rename).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fd.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"
#include "skiff/oci/state.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

// What state.json holds: the OCI state plus what later commands need.
struct Record {
    std::string id;
    oci::Status status = oci::Status::Creating; // as last written; live status is computed
    pid_t init_pid = 0;
    uint64_t init_start_time = 0; // /proc/PID/stat field 22, detects pid reuse
    std::string bundle, rootfs, config_path;
    std::string created; // RFC 3339, nanoseconds, UTC
    std::map<std::string, std::string> annotations;
    std::string cgroup; // cgroups::Cgroup::save(); "" before the cgroup exists
    Isolation isolation = Isolation::Container;
    bool systemd_cgroup = false;
    // Kept so that start and delete need not parse config.json again.
    std::vector<oci::Hook> poststart, poststop;
};

std::string dump_record(const Record& r);
Result<Record> parse_record(const std::string& text, const std::string& source);

// A locked container directory. The lock is released when the object dies.
class ContainerDir {
public:
    // mkdir <root>/<id>; error "container with given ID already exists" when present.
    static Result<ContainerDir> create(const std::string& root, const std::string& id);
    // Opens and locks an existing container; error "container does not exist". A directory
    // left by a create that died (no complete state) is cleaned up and reported as absent.
    static Result<ContainerDir> open(const std::string& root, const std::string& id);

    const std::string& path() const { return path_; }
    const std::string& id() const { return id_; }
    std::string file(const char* name) const { return path_ + "/" + name; }

    Result<Record> load() const;
    Result<void> save(const Record& record) const;
    // Removes the directory and its files (the lock stays valid until destruction).
    Result<void> remove() const;
    int lock_fd() const { return dir_.get(); }
    // Lets other commands in while this one waits (foreground run, exec).
    void unlock() { dir_.reset(); }

private:
    std::string path_, id_;
    UniqueFd dir_;
};

// IDs of all containers under root (directories with a state.json), sorted.
Result<std::vector<std::string>> list_ids(const std::string& root);
// Reads state.json without taking the lock (it is replaced atomically).
Result<Record> read_record(const std::string& root, const std::string& id);

// Atomically replaces `path` with `content` (temp file in the same directory, then an exchange
// of the two names, or a rename when `path` does not exist yet).
Result<void> write_file_atomic(const std::string& path, const std::string& content,
                               mode_t mode = 0600);
Result<std::string> read_file(const std::string& path);

// Now as RFC 3339 with nanoseconds in UTC, like runc's "created".
std::string rfc3339_now();

} // namespace skiff::runtime
