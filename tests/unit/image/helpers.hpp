// Test helpers: scratch directories, tar archives written with libarchive (hostile ones too),
// and small OCI images put straight into a store.
#pragma once

#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/manifest.hpp"
#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/image/store.hpp"

namespace testutil {

inline bool is_root() { return ::geteuid() == 0; }

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/skiff-image-test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        // Unmount anything a failed test left behind, then remove.
        std::string cmd = "grep -o ' " + path +
                          "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null;"
                          "rm -rf '" + path + "'";
        if (std::system(cmd.c_str()) != 0) {
        }
    }
    std::string operator/(const std::string& s) const { return path + "/" + s; }
};

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline void spit(const std::string& path, const std::string& data) {
    std::ofstream f(path, std::ios::binary);
    f << data;
}

// One tar entry; type is 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c'/'b' device,
// 'p' fifo.
struct Entry {
    std::string path;
    char type = 'f';
    std::string data;   // file content, or link target
    mode_t mode = 0644;
    int uid = 0, gid = 0;
    int rmajor = 0, rminor = 0;
    long mtime = 1600000000;
    std::vector<std::pair<std::string, std::string>> xattrs;
    int64_t size = -1; // declared size override (for bombs), -1 = data.size()
};

// Writes a tar (compression: "", "gzip" or "zstd") and returns its bytes.
inline std::string make_tar(const std::vector<Entry>& entries, const std::string& compression = "") {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (compression == "gzip") archive_write_add_filter_gzip(a);
    if (compression == "zstd") archive_write_add_filter_zstd(a);
    std::vector<char> buf(64 << 20);
    size_t used = 0;
    archive_write_open_memory(a, buf.data(), buf.size(), &used);
    for (const auto& e : entries) {
        archive_entry* ae = archive_entry_new();
        archive_entry_set_pathname(ae, e.path.c_str());
        archive_entry_set_uid(ae, e.uid);
        archive_entry_set_gid(ae, e.gid);
        archive_entry_set_mtime(ae, e.mtime, 0);
        archive_entry_set_perm(ae, e.mode);
        for (const auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
        switch (e.type) {
        case 'f': archive_entry_set_filetype(ae, AE_IFREG);
                  archive_entry_set_size(ae, e.size >= 0 ? e.size : int64_t(e.data.size())); break;
        case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
        case 'l': archive_entry_set_filetype(ae, AE_IFLNK); archive_entry_set_symlink(ae, e.data.c_str()); break;
        case 'h': archive_entry_set_filetype(ae, AE_IFREG); archive_entry_set_hardlink(ae, e.data.c_str()); break;
        case 'c': archive_entry_set_filetype(ae, AE_IFCHR); archive_entry_set_rdevmajor(ae, e.rmajor);
                  archive_entry_set_rdevminor(ae, e.rminor); break;
        case 'b': archive_entry_set_filetype(ae, AE_IFBLK); archive_entry_set_rdevmajor(ae, e.rmajor);
                  archive_entry_set_rdevminor(ae, e.rminor); break;
        case 'p': archive_entry_set_filetype(ae, AE_IFIFO); break;
        }
        archive_write_header(a, ae);
        if (e.type == 'f') {
            if (e.size >= 0 && size_t(e.size) > e.data.size()) {
                std::string chunk(1 << 20, 'x');
                for (int64_t left = e.size; left > 0; left -= int64_t(chunk.size()))
                    archive_write_data(a, chunk.data(), size_t(std::min<int64_t>(left, int64_t(chunk.size()))));
            } else {
                archive_write_data(a, e.data.data(), e.data.size());
            }
        }
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return std::string(buf.data(), used);
}

// Uncompressed tar's digest = diff id.
inline std::string diff_id_of(const std::string& tar_bytes_uncompressed) {
    return skiff::image::sha256_digest(tar_bytes_uncompressed);
}

// Puts an image made of the given layers (uncompressed tars, stored with `compression`) and
// config fields into the store, tags it, and returns the manifest digest.
inline std::string add_image(skiff::image::Store& store, const std::string& ref,
                             const std::vector<std::vector<Entry>>& layers,
                             const std::string& config_extra = "{}",
                             const std::string& compression = "gzip") {
    using namespace skiff::image;
    Manifest m;
    m.media_type = media::kOciManifest;
    std::string diff_ids = "[";
    for (const auto& l : layers) {
        std::string plain = make_tar(l);
        std::string blob = compression.empty() ? plain : make_tar(l, compression);
        Descriptor d;
        d.media_type = compression == "gzip" ? media::kOciLayerGzip
                       : compression == "zstd" ? media::kOciLayerZstd : media::kOciLayer;
        d.digest = store.put_blob(blob).value();
        d.size = int64_t(blob.size());
        m.layers.push_back(d);
        diff_ids += std::string(diff_ids.size() > 1 ? "," : "") + "\"" + diff_id_of(plain) + "\"";
    }
    diff_ids += "]";
    std::string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":" + config_extra +
                         ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":" + diff_ids + "}}";
    m.config.media_type = media::kOciConfig;
    m.config.digest = store.put_blob(config).value();
    m.config.size = int64_t(config.size());
    std::string mj = dump_manifest(m);
    std::string md = store.put_blob(mj).value();
    REQUIRE(store.set_reference(parse_reference(ref).value(), md).ok());
    return md;
}

} // namespace testutil
