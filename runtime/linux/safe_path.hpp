// Paths inside a container rootfs, resolved so that nothing in the image (symlinks such as
// `etc -> /`, destinations through `../../`) can make them land outside it: every lookup is
// openat2(RESOLVE_IN_ROOT) against an fd of the rootfs, every creation happens relative to a
// directory fd that was itself resolved that way.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "skiff/oci/result.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

// Lexically cleaned absolute path: "/a/./b//../c/" -> "/a/c"; ".." never climbs above "/".
std::string clean_path(std::string_view path);
// "/a/b" -> "/a", "/a" -> "/".
std::string parent_path(const std::string& clean);
// "/a/b" -> "b".
std::string base_name(const std::string& clean);

// "/proc/self/fd/N": lets path-based syscalls (mount(2)) act on exactly what `fd` refers to.
std::string proc_fd_path(int fd);

// openat2(root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), O_CLOEXEC added; the
// error's code is the errno (callers test ENOENT).
// With `followed` given, the lookup first refuses symlinks and sets *followed when it had to
// retry through one: without symlinks the lexical path is the real one, which saves asking the
// kernel where the fd landed.
Result<UniqueFd> open_in_root(int root, const std::string& path, int flags,
                              bool* followed = nullptr);

// Opens directory `path` (O_PATH), creating it and missing parents (mode 0755) inside the root.
// Dangling symlinks on the way are followed inside the root, as runc does.
Result<UniqueFd> mkdir_all_in_root(int root, const std::string& path, mode_t mode = 0755,
                                   bool* followed = nullptr);
// Opens `path` (O_PATH), creating an empty regular file (and missing parent directories) if
// nothing is there. An existing entry of any type is returned as is.
Result<UniqueFd> create_file_in_root(int root, const std::string& path, mode_t mode = 0644,
                                     bool* followed = nullptr);

// The path `fd` refers to, relative to the rootfs whose host path is `rootfs` ("/" for the
// rootfs itself); "" if it lies outside (which open_in_root never produces).
Result<std::string> path_in_root(int fd, const std::string& rootfs);

} // namespace skiff::runtime::linux
