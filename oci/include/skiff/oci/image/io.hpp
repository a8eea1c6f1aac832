// The image side's heavy half as a plugin: everything that moves images through the network
// (libcurl) or through tar archives (libarchive) is built into libskiff-image-io.so, which the
// `skiff` binary opens on first use. Commands that only use the store as it is (run of an
// unpacked image, ps, rm, inspect, ...) so never map those libraries and their dependency trees
// (gnutls, krb5, ldap, libxml2, ICU, ...), about 10 ms of dynamic loading per command here.
//
// The public functions of registry.hpp, load.hpp and unpack.hpp keep their signatures: in
// `skiff` they are forwarders (io_client.cpp) that load the plugin and call it through this
// interface; the plugin and the unit tests link their real definitions. ensure_layers() opens
// the plugin only when a layer is not unpacked yet.
//
// The interface is C++ across a dlopen boundary, so both sides must come from the same build:
// the factory takes the caller's ABI stamp (a hash of the headers whose types cross, made at
// build time) and refuses a different one.
#pragma once

#include <string>
#include <vector>

#include "skiff/oci/image/load.hpp"
#include "skiff/oci/image/registry.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::image {

// Each method is the free function of the same name. A new function in the plugin's sources
// (http, pull, push, load, save, unpack) that `skiff` calls needs a method here and a forwarder
// in io_client.cpp; without them skiff fails to link (undefined reference), never silently.
class ImageIo {
public:
    virtual Result<LoadedImage> pull_image(Store& store, const Reference& ref,
                                           const RegistryOptions& opts) = 0;
    virtual Result<std::string> push_image(Store& store, const Reference& local,
                                           const Reference& remote, const RegistryOptions& opts) = 0;
    virtual Result<std::vector<LoadedImage>> load_image(Store& store, const std::string& path,
                                                        const LoadOptions& opts) = 0;
    virtual Result<std::vector<LoadedImage>> load_oci_layout(Store& store, const std::string& dir,
                                                             const LoadOptions& opts) = 0;
    virtual Result<std::vector<LoadedImage>> load_archive(Store& store, const std::string& tar_path,
                                                          const LoadOptions& opts) = 0;
    virtual Result<void> save_oci_archive(Store& store, const std::vector<Reference>& refs,
                                          const std::string& out_path) = 0;
    virtual Result<UnpackStats> unpack_layer(const std::string& archive_path, const std::string& dest,
                                             const std::string& what, const UnpackLimits& limits) = 0;
    virtual Result<void> ensure_layers(Store& store, const Image& image,
                                       const UnpackLimits& limits) = 0;
    virtual Result<uint64_t> measure_layer(const std::string& blob_path, const std::string& diff_id) = 0;

protected:
    ~ImageIo() = default; // lives as long as the process; never deleted through this
};

// The plugin's file name, and where `skiff` looks for it: beside its own executable (the build
// tree) and in <prefix>/lib/skiff (the install, `cmake --install`).
inline constexpr const char* kImageIoFile = "libskiff-image-io.so";
inline constexpr const char* kImageIoInstallDir = "../lib/skiff";

// The one symbol the plugin exports. Its version is in the name; a new interface gets a new
// name. Returns nullptr when `abi_stamp` is not the plugin's own.
inline constexpr const char* kImageIoFactory = "skiff_image_io_v1";
using ImageIoFactory = ImageIo* (*)(const char* abi_stamp);

// The plugin, loaded once per process: an error names the file (missing, unloadable, not a
// plugin, or from another build).
Result<ImageIo*> image_io();

} // namespace skiff::image
