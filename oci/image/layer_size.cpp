// The unpacked size of a layer, as docker and podman count an image's size: the length of its
// uncompressed tar stream (podman's UncompressedSize). unpack.cpp records it next to the layer
// when it unpacks one; this file reads it and, for a layer that was never unpacked or was
// unpacked before skiff recorded sizes, has it measured once from the blob (measure_layer, in
// the io plugin: it decompresses) and records it. Reading a recorded size loads no plugin.
#include "skiff/oci/image/unpack.hpp"

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

std::string size_path(const Store& store, const std::string& diff_id) {
    return store.layer_path(diff_id) + ".size";
}

// The file is a cache written without fsync: anything but "<digits>\n" (a crash can leave it
// empty) counts as absent.
bool parse_size(const std::string& text, uint64_t& out) {
    if (text.size() < 2 || text.size() > 21 || text.back() != '\n') return false;
    uint64_t v = 0;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        v = v * 10 + uint64_t(text[i] - '0');
    }
    out = v;
    return true;
}

} // namespace

Result<void> record_layer_size(const Store& store, const std::string& diff_id, uint64_t size) {
    return fs::replace_file(size_path(store, diff_id), std::to_string(size) + "\n");
}

Result<uint64_t> layer_unpacked_size(Store& store, const Descriptor& layer, const std::string& diff_id) {
    SKIFF_CHECK(validate_digest(diff_id));
    if (auto text = fs::read_file(size_path(store, diff_id), 64)) {
        uint64_t v;
        if (parse_size(*text, v)) return v;
    }
    if (!store.has_blob(layer.digest)) return Error{"layer " + layer.digest + ": blob not in the store"};
    uint64_t size = SKIFF_TRY(measure_layer(store.blob_path(layer.digest), diff_id));
    (void)record_layer_size(store, diff_id, size); // a read-only store still lists its images
    return size;
}

} // namespace skiff::image
