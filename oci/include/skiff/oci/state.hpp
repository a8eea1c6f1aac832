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
Result<State> parse_state(const std::string& json_text);

// runc's rule: ^[\w+-\.]+$, not "." or "..", no '/', at most 1024 bytes. The error names the id.
Result<void> validate_container_id(const std::string& id);

// The OCI features document (`skiff-runtime features`), as JSON text.
std::string features_json();

} // namespace skiff::oci
