// The flags pull and push share: --platform, --authfile, --creds, --tls-verify.
#pragma once

#include <vector>

#include "command.hpp"
#include "skiff/oci/image/registry.hpp"

namespace skiff::skiffcli {

// Flags for a command's table; `pull` adds --platform.
std::vector<Flag> registry_flags(bool with_platform);

// RegistryOptions from those flags; the default platform is this host's (linux/amd64 on x86-64).
Result<image::RegistryOptions> registry_options(const Args& a);

} // namespace skiff::skiffcli
