// Helpers shared by the bundle's parts (bundle.cpp, volumes.cpp).
#pragma once

#include <cstddef>
#include <string>

#include "skiff/oci/spec.hpp"

namespace skiff::image {

// "/a/./b//c/" -> "/a/b/c"; ".." is kept for the kernel to resolve inside the root.
std::string clean_abs(const std::string& p);

// Orders spec.mounts[first..] parents before children (stable otherwise), as docker sorts a
// container's mounts, so a volume on /etc cannot hide the /etc/hosts bind made before it.
void sort_mounts(oci::Spec& spec, size_t first);

} // namespace skiff::image
