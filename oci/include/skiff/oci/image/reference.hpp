// Image references as docker and the OCI distribution spec write them:
//   [registry-host[:port]/]path[:tag][@sha256:<hex>]
// Parsing normalizes the way docker does: no registry means docker.io, a one-component path on
// docker.io gets "library/", index.docker.io is docker.io, and a reference with neither tag nor
// digest gets the tag "latest".
#pragma once

#include <string>
#include <string_view>

#include "skiff/oci/result.hpp"

namespace skiff::image {

inline constexpr const char* kDefaultRegistry = "docker.io";

struct Reference {
    std::string registry; // "docker.io", "127.0.0.1:5000", "[::1]:5000"
    std::string path;     // "library/busybox"
    std::string tag;      // may be empty when a digest is given
    std::string digest;   // "sha256:<hex>" or empty

    // "docker.io/library/busybox"
    std::string repository() const { return registry + "/" + path; }
    // Fully qualified: "docker.io/library/busybox:latest", "host:5000/a/b@sha256:..".
    std::string str() const;
    // The short form docker shows: "busybox:latest", "me/app:1", "host:5000/a:b".
    std::string familiar() const;
    // The registry host to contact: docker.io is served by registry-1.docker.io.
    std::string registry_host() const;

    bool operator==(const Reference&) const = default;
};

// Errors name the reference and what is wrong with it, e.g.
// "invalid reference \"Busybox\": repository name must be lowercase".
Result<Reference> parse_reference(std::string_view text);

// A tag alone (for `skiff tag` and index annotations): [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(std::string_view tag);

} // namespace skiff::image
