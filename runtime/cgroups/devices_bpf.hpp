// The cgroup v2 device controller is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to
// the container's cgroup. skiff assembles it from linux.resources.devices by hand: no libbpf,
// no compiler at run time.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::cgroups::bpf {

// Later rules win (OCI order): the program checks them last to first and returns on the first
// match; a rule matching every device and access ends the search. With no such rule, access
// not matched by any rule is allowed (the cgroup's parent still applies its own filter).
Result<std::vector<bpf_insn>> device_program(const std::vector<oci::DeviceRule>& rules);

// BPF_PROG_LOAD; the verifier's first complaint ends up in the error. Returns the program fd.
Result<int> load_device_program(const std::vector<bpf_insn>& insns);

// Attaches `prog_fd` to the cgroup2 directory (BPF_F_ALLOW_MULTI), then detaches the device
// programs that were there before, so an update never leaves a window without a filter.
Result<void> attach_device_program(const std::string& cgroup_dir, int prog_fd);

// Build + load + attach.
Result<void> set_devices_v2(const std::string& cgroup_dir,
                            const std::vector<oci::DeviceRule>& rules);

} // namespace skiff::runtime::cgroups::bpf
