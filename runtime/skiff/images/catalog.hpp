// What the image commands need to know about the local store: the images as `skiff images`
// lists them, which containers use an image (rmi refuses those), and the store itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "command.hpp"
#include "skiff/oci/image/store.hpp"

namespace skiff::skiffcli {

// The store under --root, created when missing.
Result<image::Store> open_store(const Globals& g);

struct ImageRow {
    std::string repository; // familiar ("busybox", "127.0.0.1:5000/a/b"), "<none>" when untagged
    std::string tag;        // "<none>" for digest references and untagged manifests
    std::string reference;  // canonical reference string as stored, "" when untagged
    std::string manifest_digest;
    std::string image_id;   // config digest, "sha256:<hex>" (docker's image id)
    int64_t created = 0;    // seconds since the epoch, 0 when the config has none
    uint64_t size = 0;      // config and unpacked layers (layer_unpacked_size), as docker and podman count
};

// Every reference, newest image first. With untagged, also the manifests the store holds
// that no reference names ("dangling": what `image prune` removes).
Result<std::vector<ImageRow>> list_images(image::Store& store, bool untagged);

// The manifest digest a user's name means: a reference, an image id (prefix, >= 4 digits) of a
// named image, or else of an untagged one. "No such image: NAME" otherwise.
Result<std::string> find_image(image::Store& store, const std::string& name);

// Ids of the containers under <root>/containers whose config.json names manifest_digest in
// the run.skiff.image.digest annotation.
std::vector<std::string> containers_using(const image::Store& store, const std::string& manifest_digest);

// docker's 12-digit short id of a digest.
std::string short_id(const std::string& digest);

} // namespace skiff::skiffcli
