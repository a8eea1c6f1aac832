// The OCI distribution API client (libcurl): pull and push between the store and a registry.
//
// Auth: anonymous, bearer tokens (the registry's 401 WWW-Authenticate challenge is answered at
// its realm), and basic auth with credentials from a docker-style config file
// ({"auths": {"host:port": {"auth": base64("user:pass")}}}). Indexes resolve to the requested
// platform; every manifest and blob is checked against its digest before it enters the store.
// Layers download in parallel into tmp/<hex>.partial and resume from there after an
// interruption (HTTP Range). Push uploads in parallel and mounts blobs across repositories.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "skiff/oci/image/load.hpp"
#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::image {

struct BlobProgress {
    std::string digest;
    uint64_t done = 0;
    uint64_t total = 0;
    bool finished = false;
    bool skipped = false; // already in the store / registry
    std::string mounted_from; // push: the registry took it from this repository (skipped too)
};

struct RegistryOptions {
    // http instead of https. Registries on localhost, 127.0.0.0/8 and ::1 always use http,
    // as docker allows them without TLS.
    bool insecure = false;
    // default: $REGISTRY_AUTH_FILE (podman's), $DOCKER_CONFIG/config.json, ~/.docker/config.json
    std::string credentials_file;
    std::string username, password; // override the file
    std::string os = "linux", arch = "amd64";
    int parallel = 3; // blobs moved at once; `skiff push` asks for 5, as docker
    // Called from download threads, serialized by the library.
    std::function<void(const BlobProgress&)> progress;
};

Result<LoadedImage> pull_image(Store& store, const Reference& ref, const RegistryOptions& opts = {});

// Pushes the local image `local` as `remote`: blobs in parallel, those the registry has
// skipped, those known to be in another of its repositories mounted from there.
Result<std::string> push_image(Store& store, const Reference& local, const Reference& remote,
                               const RegistryOptions& opts = {});

} // namespace skiff::image
