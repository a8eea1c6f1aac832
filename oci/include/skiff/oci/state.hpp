// The OCI state (what `state` prints and hooks read on stdin) and container-id rules.
#pragma once

#include <map>
#include <string>

#include "skiff/oci/result.hpp"

namespace skiff::oci {

inline constexpr const char* kSpecVersion = "1.2.0";

enum class Status { Creating, Created, Running, Paused, Stopped };
const char* to_string(Status s);
Result<Status> parse_status(const std::string& s);

struct State {
    std::string oci_version = kSpecVersion;
    std::string id;
    Status status = Status::Creating;
    int pid = 0; // 0 once stopped: omitted from JSON
    std::string bundle;
    std::map<std::string, std::string> annotations;
};

std::string dump_state(const State& state, int indent = -1);
// Errors name the source and field: "state.json: status: unknown status \"dead\"".
Result<State> parse_state(const std::string& json_text, const std::string& source = "state.json");

// runc's rule: letters, digits and _ + - . only, not "." or "..". At most 255 bytes (NAME_MAX),
// since the id names the container's state directory. The error names the id.
Result<void> validate_container_id(const std::string& id);

// The OCI features document: features_json(const Features&) in skiff/oci/features.hpp.

} // namespace skiff::oci
