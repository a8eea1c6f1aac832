// Unpacking layers (libarchive: tar, tar+gzip, tar+zstd, ...) and making container roots.
//
// A layer is unpacked once into <store>/layers/<hex of its diff id>, in overlayfs' own format:
// a whiteout ".wh.NAME" becomes a 0:0 character device NAME, an opaque marker ".wh..wh..opq"
// becomes the trusted.overlay.opaque=y xattr on its directory. Every path is resolved beneath
// the layer's directory with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a symlink in a layer
// is stored as it is (it may point anywhere) but is never followed while unpacking, so no entry
// can reach outside. Entries with "..", absolute paths, writes through symlinks, hard links out
// of the layer, and archives over the size or entry limits are rejected with an error naming
// the entry; a failed unpack leaves nothing in layers/.
#pragma once

#include <cstdint>
#include <string>

#include "skiff/oci/image/store.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::image {

struct UnpackLimits {
    uint64_t max_bytes = uint64_t(64) << 30; // sum of file sizes
    uint64_t max_entries = 2'000'000;
};

struct UnpackStats {
    uint64_t entries = 0;
    uint64_t bytes = 0;   // file content written
    uint64_t stream_bytes = 0; // length of the uncompressed tar stream
    std::string diff_id;  // sha256 of the uncompressed tar stream
};

// Unpacks the archive at `archive_path` into `dest`, a directory that must not exist yet (it
// is created; on error it is removed again). `what` names the layer in errors.
Result<UnpackStats> unpack_layer(const std::string& archive_path, const std::string& dest,
                                 const std::string& what, const UnpackLimits& limits = {});

// Makes sure every layer of the image is unpacked in the store, checking each one's diff id
// against the image config.
Result<void> ensure_layers(Store& store, const Image& image, const UnpackLimits& limits = {});

// The unpacked size of a layer as docker and podman show it: the length of its uncompressed
// tar stream. ensure_layers records it in <store>/layers/<hex>.size as it unpacks the layer;
// for a layer not unpacked yet (or unpacked before sizes were recorded) it is computed once
// from the blob, checked against diff_id, and recorded.
Result<uint64_t> layer_unpacked_size(Store& store, const Descriptor& layer, const std::string& diff_id);
Result<void> record_layer_size(const Store& store, const std::string& diff_id, uint64_t size);
// Decompresses the layer blob at blob_path and returns its length, checking it has diff_id.
Result<uint64_t> measure_layer(const std::string& blob_path, const std::string& diff_id);

// A container's root filesystem under <store>/containers/<id>/: "rootfs" is an overlay mount of
// the image's layers (lowest last in lowerdir) with "upper" and "work" next to it, or, when
// overlayfs is unavailable (or copy is forced), a private copy of the merged layers. The file
// "layers" lists the diff ids it uses so gc keeps them.
struct ContainerRootfs {
    std::string dir;    // <store>/containers/<id>
    std::string rootfs; // dir + "/rootfs"
    bool overlay = false;
};

struct RootfsOptions {
    bool force_copy = false;
};

Result<ContainerRootfs> create_rootfs(Store& store, const Image& image, const std::string& id,
                                      const RootfsOptions& opts = {});
// Mounts an existing container's overlay again (after a reboot); no-op when mounted or copied.
Result<void> mount_rootfs(Store& store, const std::string& id);
// Unmounts and removes containers/<id>. Absent is fine.
Result<void> remove_rootfs(Store& store, const std::string& id);

} // namespace skiff::image
