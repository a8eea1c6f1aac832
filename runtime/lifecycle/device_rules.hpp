// The device cgroup rules a container gets: the spec's own rules, then an allow rule for each
// device listed in linux.devices, then runc's default allow list (mknod of any device, the
// standard /dev nodes, ptys, tun), so that "deny all" configs from `spec` still have a working
// /dev, exactly as under runc.
#pragma once

#include "skiff/oci/spec.hpp"

namespace skiff::runtime {

oci::Resources effective_resources(const oci::Linux& linux);

} // namespace skiff::runtime
