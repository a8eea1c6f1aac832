// What `--debug` logs about the steps of a command (runc's debug log names the same ones):
// each function returns at once without --debug, so the start-up path builds no strings.
#pragma once

#include <sys/types.h>

#include <string>

#include "linux/linux.hpp"
#include "skiff/oci/isolation.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime {

// The config as create will use it: isolation, mount count, namespaces made and joined.
void debug_config(const std::string& config_path, const oci::Spec& spec, oci::Isolation iso,
                  const linux::JoinList& join);
// The cgroup directories of cgroups::Cgroup::save() text, one "controller=path" each.
void debug_cgroup(const std::string& id, const std::string& saved);
// One step with an optional pid ("init started" pid=N); a no-op without --debug.
void debug_step(const char* what, const std::string& id, pid_t pid = 0,
                const std::string& detail = {});

} // namespace skiff::runtime
