// Writing images out of the store as an OCI archive.
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <vector>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/load.hpp"

namespace skiff::image {
namespace {

using json = nlohmann::json;

struct ArchiveWriteDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};

Result<void> add_entry(archive* a, const std::string& path, int64_t size,
                       const std::function<Result<void>()>& write_body, const std::string& out) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                               archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), path.back() == '/' ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), path.back() == '/' ? 0755 : 0644);
    archive_entry_set_size(e.get(), path.back() == '/' ? 0 : size);
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK)
        return Error{"write " + out + ": " + path + ": " + archive_error_string(a)};
    return write_body ? write_body() : ok();
}

Result<void> add_text(archive* a, const std::string& path, const std::string& text,
                      const std::string& out) {
    return add_entry(
        a, path, int64_t(text.size()),
        [&]() -> Result<void> {
            if (archive_write_data(a, text.data(), text.size()) != la_ssize_t(text.size()))
                return Error{"write " + out + ": " + path + ": " + archive_error_string(a)};
            return ok();
        },
        out);
}

Result<void> add_blob(archive* a, Store& store, const std::string& digest, const std::string& out) {
    std::string src = store.blob_path(digest);
    fs::Fd fd(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + src);
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) return errno_error("stat " + src);
    std::string path = "blobs/sha256/" + digest_hex(digest);
    return add_entry(
        a, path, st.st_size,
        [&]() -> Result<void> {
            std::vector<char> buf(1 << 20);
            while (true) {
                ssize_t n = ::read(fd.get(), buf.data(), buf.size());
                if (n < 0) {
                    if (errno == EINTR) continue;
                    return errno_error("read " + src);
                }
                if (n == 0) return ok();
                if (archive_write_data(a, buf.data(), size_t(n)) != n)
                    return Error{"write " + out + ": " + path + ": " + archive_error_string(a)};
            }
        },
        out);
}

} // namespace

Result<void> save_oci_archive(Store& store, const std::vector<Reference>& refs,
                              const std::string& out_path) {
    if (refs.empty()) return Error{"save: no images given"};
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    Index index;
    index.media_type = media::kOciIndex;
    json docker_manifest = json::array();
    std::vector<std::string> blobs;
    std::set<std::string> seen;
    auto want = [&](const std::string& d) {
        if (seen.insert(d).second) blobs.push_back(d);
    };
    for (const auto& ref : refs) {
        auto md = SKIFF_TRY(store.resolve(ref));
        auto img = SKIFF_TRY(store.image(md));
        struct stat st;
        if (::stat(store.blob_path(md).c_str(), &st) < 0) return errno_error("stat " + md);
        Descriptor d;
        d.media_type = img.manifest.media_type;
        d.digest = md;
        d.size = st.st_size;
        Reference named = ref;
        named.digest.clear();
        if (!named.tag.empty()) {
            d.annotations[kContainerdNameAnnotation] = named.str();
            d.annotations[kRefNameAnnotation] = named.tag;
        }
        index.manifests.push_back(d);
        json layers = json::array();
        for (const auto& l : img.manifest.layers) layers.push_back("blobs/sha256/" + digest_hex(l.digest));
        json entry = {{"Config", "blobs/sha256/" + digest_hex(img.config_digest)}, {"Layers", layers}};
        entry["RepoTags"] = named.tag.empty() ? json::array() : json::array({named.familiar()});
        docker_manifest.push_back(entry);
        want(md);
        want(img.config_digest);
        for (const auto& l : img.manifest.layers) want(l.digest);
    }

    std::string dir = fs::dirname(out_path);
    std::string tmp = dir + "/" + fs::temp_name(out_path.substr(out_path.rfind('/') + 1));
    auto written = [&]() -> Result<void> {
        std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
        archive_write_set_format_pax_restricted(a.get());
        if (archive_write_open_filename(a.get(), tmp.c_str()) != ARCHIVE_OK)
            return Error{"create " + tmp + ": " + archive_error_string(a.get())};
        SKIFF_CHECK(add_text(a.get(), "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", out_path));
        SKIFF_CHECK(add_text(a.get(), "index.json", dump_index(index), out_path));
        SKIFF_CHECK(add_text(a.get(), "manifest.json", docker_manifest.dump(), out_path));
        SKIFF_CHECK(add_entry(a.get(), "blobs/", 0, nullptr, out_path));
        SKIFF_CHECK(add_entry(a.get(), "blobs/sha256/", 0, nullptr, out_path));
        for (const auto& b : blobs) SKIFF_CHECK(add_blob(a.get(), store, b, out_path));
        if (archive_write_close(a.get()) != ARCHIVE_OK)
            return Error{"write " + out_path + ": " + archive_error_string(a.get())};
        // The user may delete the images once `save` succeeded: the archive must be on disk
        // before it takes its name.
        fs::Fd fd(::open(tmp.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd || ::fsync(fd.get()) < 0) return errno_error("fsync " + tmp);
        if (::rename(tmp.c_str(), out_path.c_str()) < 0)
            return errno_error("rename " + tmp + " to " + out_path);
        return ok();
    }();
    if (!written) ::unlink(tmp.c_str());
    return written;
}

} // namespace skiff::image
