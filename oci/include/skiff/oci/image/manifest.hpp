// The OCI image-spec documents the store keeps (and their docker schema 2 twins): descriptors,
// image manifests, image indexes / manifest lists, and the image configuration.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/result.hpp"

namespace skiff::image {

namespace media {
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
} // namespace media

inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";
// containerd's annotation holding the full image name in an OCI archive.
inline constexpr const char* kContainerdNameAnnotation = "io.containerd.image.name";

struct Platform {
    std::string os, architecture, variant;
};

struct Descriptor {
    std::string media_type;
    std::string digest;
    int64_t size = 0;
    std::map<std::string, std::string> annotations;
    std::optional<Platform> platform;
};

struct Manifest {
    std::string media_type; // as found, OCI or docker
    Descriptor config;
    std::vector<Descriptor> layers;
    std::map<std::string, std::string> annotations;
};

struct Index {
    std::string media_type;
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;
};

// The parts of the image configuration a container is made from (the "config" object), plus
// the layer diff ids. Absent lists stay empty; docker treats absent and empty alike.
struct ImageConfig {
    std::string os, architecture, variant;
    std::string user, working_dir, stop_signal;
    std::vector<std::string> env, entrypoint, cmd;
    std::vector<std::string> exposed_ports, volumes; // keys of the JSON objects
    std::map<std::string, std::string> labels;
    std::vector<std::string> diff_ids;
    std::string created;
};

bool is_index_type(std::string_view media_type);
bool is_manifest_type(std::string_view media_type);

// `source` names the document in errors ("manifest sha256:ab..: layers[2].digest: ...").
Result<Manifest> parse_manifest(std::string_view json, const std::string& source);
Result<Index> parse_index(std::string_view json, const std::string& source);
Result<ImageConfig> parse_image_config(std::string_view json, const std::string& source);

// The manifest's JSON, as stored (its digest is the image's manifest digest).
std::string dump_manifest(const Manifest& m);
std::string dump_index(const Index& index);

// Picks the manifest for os/arch from an index, the way docker does: exact match first, and
// for amd64 a descriptor without a platform only when it is the index's sole manifest. The
// error lists the platforms the index offers.
Result<Descriptor> pick_platform(const Index& index, const std::string& source,
                                 const std::string& os = "linux",
                                 const std::string& arch = "amd64");

// Whether a layer media type is one skiff can unpack (tar, tar+gzip, tar+zstd, docker gzip).
bool is_layer_type(std::string_view media_type);

} // namespace skiff::image
