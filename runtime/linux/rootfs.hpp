// Shared by prepare_rootfs, enter_rootfs and finalize_rootfs. Internal to runtime/linux.
#pragma once

#include <string>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::linux {

// linux.rootfsPropagation as MS_* flags; 0 for "" (unset). Error names the field.
Result<unsigned long> root_propagation(const oci::Spec& spec);
bool has_mount_namespace(const oci::Spec& spec);
bool has_user_namespace(const oci::Spec& spec);

} // namespace skiff::runtime::linux
