// The `skiff` side of io.hpp: finds and opens libskiff-image-io.so on first use, and the
// forwarders that keep registry.hpp, load.hpp and unpack.hpp's functions callable as before.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <mutex>

#include "skiff/oci/image/io.hpp"
#include "skiff/oci/image/io_abi.hpp"

namespace skiff::image {
namespace {

// Beside the executable (build tree), then the install's lib dir.
Result<std::string> plugin_path() {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return errno_error("readlink /proc/self/exe");
    std::string dir(exe, size_t(n));
    dir.erase(dir.rfind('/') + 1);
    std::string beside = dir + kImageIoFile;
    std::string installed = dir + kImageIoInstallDir + "/" + kImageIoFile;
    struct stat st;
    if (::stat(beside.c_str(), &st) == 0) return beside;
    if (::stat(installed.c_str(), &st) == 0) return installed;
    return Error{"image io plugin not found: neither " + beside + " nor " + installed +
                     " exists (needed for pull, push, load, save and unpacking layers)",
                 ENOENT};
}

Result<ImageIo*> open_plugin() {
    auto path = SKIFF_TRY(plugin_path());
    // RTLD_LOCAL: libcurl's and libarchive's symbols stay out of the global scope.
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    // dlerror() names the plugin only when the plugin itself is at fault, not a library it
    // needs (libcurl missing): say which file this is about either way.
    if (!h) return Error{"image io plugin " + path + ": " + ::dlerror()};
    auto factory = reinterpret_cast<ImageIoFactory>(::dlsym(h, kImageIoFactory));
    if (!factory)
        return Error{"image io plugin " + path + ": no " + kImageIoFactory +
                     " (not a skiff image io plugin, or one of another interface version)"};
    ImageIo* io = factory(SKIFF_IMAGE_IO_ABI);
    if (!io)
        return Error{"image io plugin " + path + ": built from other sources than this skiff (" +
                     "interface stamp differs); install both from one build"};
    return io; // the handle stays open for the life of the process
}

} // namespace

Result<ImageIo*> image_io() {
    static std::once_flag once;
    static Result<ImageIo*> loaded = Error{""};
    std::call_once(once, [] { loaded = open_plugin(); });
    return loaded;
}

Result<LoadedImage> pull_image(Store& store, const Reference& ref, const RegistryOptions& opts) {
    return SKIFF_TRY(image_io())->pull_image(store, ref, opts);
}

Result<std::string> push_image(Store& store, const Reference& local, const Reference& remote,
                               const RegistryOptions& opts) {
    return SKIFF_TRY(image_io())->push_image(store, local, remote, opts);
}

Result<std::vector<LoadedImage>> load_image(Store& store, const std::string& path,
                                            const LoadOptions& opts) {
    return SKIFF_TRY(image_io())->load_image(store, path, opts);
}

Result<std::vector<LoadedImage>> load_oci_layout(Store& store, const std::string& dir,
                                                 const LoadOptions& opts) {
    return SKIFF_TRY(image_io())->load_oci_layout(store, dir, opts);
}

Result<std::vector<LoadedImage>> load_archive(Store& store, const std::string& tar_path,
                                              const LoadOptions& opts) {
    return SKIFF_TRY(image_io())->load_archive(store, tar_path, opts);
}

Result<void> save_oci_archive(Store& store, const std::vector<Reference>& refs,
                              const std::string& out_path) {
    return SKIFF_TRY(image_io())->save_oci_archive(store, refs, out_path);
}

Result<UnpackStats> unpack_layer(const std::string& archive_path, const std::string& dest,
                                 const std::string& what, const UnpackLimits& limits) {
    return SKIFF_TRY(image_io())->unpack_layer(archive_path, dest, what, limits);
}

Result<void> ensure_layers(Store& store, const Image& image, const UnpackLimits& limits) {
    // The common case, every layer unpacked by an earlier load or run, needs no plugin: the
    // check is the same has_layer() the plugin's ensure_layers starts with.
    bool all = image.manifest.layers.size() == image.config.diff_ids.size();
    for (size_t i = 0; all && i < image.config.diff_ids.size(); ++i)
        all = store.has_layer(image.config.diff_ids[i]);
    if (all) return ok();
    return SKIFF_TRY(image_io())->ensure_layers(store, image, limits);
}

Result<uint64_t> measure_layer(const std::string& blob_path, const std::string& diff_id) {
    return SKIFF_TRY(image_io())->measure_layer(blob_path, diff_id);
}

} // namespace skiff::image
