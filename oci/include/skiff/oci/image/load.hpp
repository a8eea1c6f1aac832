// Getting images into the store from files, and out again:
//   - an OCI image layout directory (oci-layout, index.json, blobs/),
//   - an OCI archive (the same layout in a tar, optionally compressed),
//   - a `docker save` tar (manifest.json + repositories, legacy <id>/layer.tar or docker 25's
//     OCI-shaped blobs), converted to an OCI manifest in the store.
// Indexes / manifest lists are resolved to the requested platform (linux/amd64). Every blob is
// verified against its digest and size; a failed load leaves no new blob and no reference.
#pragma once

#include <string>
#include <vector>

#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::image {

struct LoadOptions {
    // The repository an image is tagged as when the file names only a tag (skopeo's
    // "oci:DIR:TAG" writes ref.name = TAG) or nothing at all (then tag "latest" unless `name`
    // has one). Images that carry a full name keep it.
    std::string name;
    // Without a name, load such images untagged (LoadedImage::reference ""), as `docker load`
    // does, instead of failing. They stay until `image prune` or gc.
    bool allow_untagged = false;
    std::string os = "linux";
    std::string arch = "amd64";
};

struct LoadedImage {
    std::string reference;       // canonical, "docker.io/library/busybox:latest"; "" untagged
    std::string manifest_digest;
};

// A directory is read as an OCI layout, a file as an archive (OCI or docker, detected). Without
// opts.name, the file's base name minus .tar/.tar.gz/.tgz/.tar.zst/.oci names images that carry
// only a tag: build/images/busybox (ref.name "latest") loads as busybox:latest.
Result<std::vector<LoadedImage>> load_image(Store& store, const std::string& path,
                                            const LoadOptions& opts = {});
Result<std::vector<LoadedImage>> load_oci_layout(Store& store, const std::string& dir,
                                                 const LoadOptions& opts = {});
Result<std::vector<LoadedImage>> load_archive(Store& store, const std::string& tar_path,
                                              const LoadOptions& opts = {});

// Writes the images as an OCI archive (with a docker-compatible manifest.json too, so
// `docker load` and `skopeo copy oci-archive:` both read it), atomically: out_path appears
// complete or not at all.
Result<void> save_oci_archive(Store& store, const std::vector<Reference>& refs,
                              const std::string& out_path);

} // namespace skiff::image
