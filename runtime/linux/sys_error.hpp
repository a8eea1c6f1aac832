// Errors of failed syscalls in runtime/linux: "what: ENAME" ("mount tmpfs on /dev: EINVAL"),
// the errno's symbolic name rather than its prose so messages are short and greppable.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

#include "skiff/oci/result.hpp"

namespace skiff::runtime::linux {

inline Error sys_error(const std::string& what, int err = errno) {
    const char* name = strerrorname_np(err);
    return {what + ": " + (name ? name : std::to_string(err)), err};
}

} // namespace skiff::runtime::linux
