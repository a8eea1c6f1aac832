// The plugin side of io.hpp: the one exported symbol, handing out an ImageIo that calls this
// library's real pull/push/load/save/unpack.
#include <cstring>

#include "skiff/oci/image/io.hpp"
#include "skiff/oci/image/io_abi.hpp"

namespace skiff::image {
namespace {

class PluginIo final : public ImageIo {
public:
    Result<LoadedImage> pull_image(Store& store, const Reference& ref,
                                   const RegistryOptions& opts) override {
        return image::pull_image(store, ref, opts);
    }
    Result<std::string> push_image(Store& store, const Reference& local, const Reference& remote,
                                   const RegistryOptions& opts) override {
        return image::push_image(store, local, remote, opts);
    }
    Result<std::vector<LoadedImage>> load_image(Store& store, const std::string& path,
                                                const LoadOptions& opts) override {
        return image::load_image(store, path, opts);
    }
    Result<std::vector<LoadedImage>> load_oci_layout(Store& store, const std::string& dir,
                                                     const LoadOptions& opts) override {
        return image::load_oci_layout(store, dir, opts);
    }
    Result<std::vector<LoadedImage>> load_archive(Store& store, const std::string& tar_path,
                                                  const LoadOptions& opts) override {
        return image::load_archive(store, tar_path, opts);
    }
    Result<void> save_oci_archive(Store& store, const std::vector<Reference>& refs,
                                  const std::string& out_path) override {
        return image::save_oci_archive(store, refs, out_path);
    }
    Result<UnpackStats> unpack_layer(const std::string& archive_path, const std::string& dest,
                                     const std::string& what, const UnpackLimits& limits) override {
        return image::unpack_layer(archive_path, dest, what, limits);
    }
    Result<void> ensure_layers(Store& store, const Image& image, const UnpackLimits& limits) override {
        return image::ensure_layers(store, image, limits);
    }
    Result<uint64_t> measure_layer(const std::string& blob_path, const std::string& diff_id) override {
        return image::measure_layer(blob_path, diff_id);
    }
};

} // namespace
} // namespace skiff::image

extern "C" __attribute__((visibility("default"))) skiff::image::ImageIo*
skiff_image_io_v1(const char* abi_stamp) {
    static skiff::image::PluginIo io;
    if (!abi_stamp || std::strcmp(abi_stamp, SKIFF_IMAGE_IO_ABI) != 0) return nullptr;
    return &io;
}
