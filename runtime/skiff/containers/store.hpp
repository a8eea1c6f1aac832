// Where the CLI keeps its containers, and how commands find and lock them.
//   <root>/containers/<id>/container.json  the record (record.hpp); the directory is the bundle
//                                          (config.json, rootfs) create_bundle made
//   <root>/containers/<id>/container.log   the container's output (log_file.hpp)
//   <root>/containers/<id>/monitor.lock    flock'ed by the process that watches the container
//                                          (monitor.hpp) for as long as it lives: a lock anyone
//                                          can take means nobody is watching, even after a
//                                          reboot, without trusting a pid
//   <root>/names/<name> -> <id>            a symlink per name: making it is the atomic claim
// Every read-modify-write of a record holds an exclusive flock on the container's directory.
#pragma once

#include <string>
#include <vector>

#include "record.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

std::string containers_dir(const std::string& root);
std::string container_dir(const std::string& root, const std::string& id);
std::string record_path(const std::string& root, const std::string& id);
std::string log_path(const std::string& root, const std::string& id);
std::string monitor_lock_path(const std::string& root, const std::string& id);

// An exclusive flock on a container's directory, released when destroyed.
class RecordLock {
public:
    RecordLock() = default;
    RecordLock(RecordLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    RecordLock& operator=(RecordLock&& o) noexcept;
    ~RecordLock();

private:
    friend Result<RecordLock> lock_record(const std::string& root, const std::string& id);
    int fd_ = -1;
};
// Error "No such container: <id>" (ENOENT) when the directory is gone.
Result<RecordLock> lock_record(const std::string& root, const std::string& id);

// ENOENT error "No such container: <id>" when the record is absent.
Result<Record> load_record(const std::string& root, const std::string& id);
Result<void> save_record(const std::string& root, const Record& r);

// Every complete record, newest first. Directories without a record (a create in progress or
// one that crashed) are left out.
std::vector<Record> list_records(const std::string& root);

// A full id, a unique id prefix, or a name ("/name" too) -> the id. docker's errors:
// "No such container: x", "Multiple IDs found with provided prefix: x".
Result<std::string> resolve_container(const std::string& root, const std::string& ref);

// Claims `name` for `id`. Error in docker's words when taken:
// Conflict. The container name "/web" is already in use by container "<id>". You have to
// remove (or rename) that container to be able to reuse that name.
Result<void> reserve_name(const std::string& root, const std::string& name, const std::string& id);
// Drops the claim if it still belongs to id.
void release_name(const std::string& root, const std::string& name, const std::string& id);

// docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading "/" is dropped).
Result<std::string> check_name(const std::string& name);
// 64 hex digits from getrandom(2); never all digits (docker avoids those, they look like
// numbers to some tools).
std::string new_id();
// "adjective_surname" as docker makes them; `attempt` > 0 appends a digit like docker's retry.
std::string generate_name(unsigned attempt = 0);

// Is the container's monitor alive (someone holds monitor.lock)?
bool monitor_alive(const std::string& root, const std::string& id);

// Writes `content` to path.tmp-<pid> and renames it over path.
Result<void> replace_file(const std::string& path, const std::string& content, mode_t mode = 0600);
Result<std::string> read_whole_file(const std::string& path);

} // namespace skiff::skiffcli
