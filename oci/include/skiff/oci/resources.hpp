// Documents that carry one part of the spec on their own: the LinuxResources object that
// `skiff-runtime update -r` reads and the Process object of `skiff-runtime exec --process`.
// Errors name the JSON path within the document, e.g. "resources.json: memory.limit: expected an
// integer, got string", and the same rules as in config.json apply.
#pragma once

#include <string>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::oci {

Result<Resources> parse_resources(const std::string& json_text,
                                  const std::string& source = "resources.json");
Result<Resources> load_resources(const std::string& path);

// Same checks as config.json's process: args non-empty, cwd absolute, known rlimits, ...
Result<Process> parse_process(const std::string& json_text,
                              const std::string& source = "process.json");
Result<Process> load_process(const std::string& path);

} // namespace skiff::oci
