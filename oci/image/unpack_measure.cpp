// measure_layer (unpack.hpp): a layer blob's uncompressed length, for layer_unpacked_size
// when no size was recorded at unpack.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/unpack.hpp"

namespace skiff::image {
namespace {

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

} // namespace

Result<uint64_t> measure_layer(const std::string& path, const std::string& diff_id) {
    fs::Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return errno_error("open " + path);
    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_raw(a.get());
    if (archive_read_open_fd(a.get(), in.get(), 1 << 20) != ARCHIVE_OK)
        return Error{"open " + path + ": " + archive_error_string(a.get())};
    archive_entry* e;
    if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
        return Error{"read " + path + ": " + archive_error_string(a.get())};
    Sha256 hash;
    std::vector<char> buf(1 << 20);
    for (;;) {
        la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
        if (n < 0) return Error{"decompress " + path + ": " + archive_error_string(a.get())};
        if (n == 0) break;
        hash.update(buf.data(), size_t(n));
    }
    uint64_t size = hash.bytes();
    if (hash.digest() != diff_id)
        return Error{"layer " + path + ": uncompressed content does not match diff id " + diff_id};
    return size;
}

} // namespace skiff::image
