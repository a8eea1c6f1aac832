// `run` and `create` share their flags and the making of a container: record, name claim and
// bundle (create_bundle), all undone when any step fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "command.hpp"
#include "record.hpp"
#include "skiff/oci/image/bundle.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

// The flags `create` takes; `run` adds --detach.
const std::vector<Flag>& create_flags();

// docker's RAMInBytes: "64m", "1g", "1.5G", "512k", "100" (bytes), "64mb", "2GiB";
// binary units. Error "invalid size: 'x'".
Result<int64_t> parse_size(const std::string& text);

// -e and --env-file entries: "K=V" as is; a bare "K" takes the value of K in our own
// environment, or is dropped when unset (docker). An env file: one entry a line, blank lines
// and lines starting with # skipped.
Result<std::vector<std::string>> collect_env(const std::vector<std::string>& env_flags,
                                             const std::vector<std::string>& env_files);

// Flags -> what create_bundle takes (image name and command from the positionals).
Result<image::RunOptions> run_options(const Args& a);

// Makes the container (bundle + record, state created) and returns its record.
Result<Record> create_container(const Globals& g, const Args& a);

} // namespace skiff::skiffcli
