// The content-addressed image store (default /var/lib/skiff):
//   blobs/sha256/<hex>     manifests, configs and layer blobs, each verified on write
//   index.json             references ("docker.io/library/busybox:latest") -> manifest digest
//   layers/<hex of diffid> each layer unpacked once, shared by every image and container
//   containers/<id>/       a container's rootfs (overlay upper/work, mount point) and bundle
//   tmp/                   partial writes; a crash leaves files here, never in blobs/ or layers/
//   lock                   flock'ed shared by every user of the store, exclusive by gc and by
//                          loads (so a failed load can take back the blobs it added)
//   index.lock             flock'ed exclusive around each read-modify-write of index.json
// Blobs and layers land by rename, so concurrent writers of the same content are harmless.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/image/manifest.hpp"
#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::image {

inline constexpr const char* kDefaultStoreRoot = "/var/lib/skiff";

// An image the store holds, read back from its manifest and config blobs.
struct Image {
    std::string manifest_digest;
    Manifest manifest;
    std::string config_digest;
    std::string config_json;
    ImageConfig config;
};

struct GcStats {
    size_t blobs_removed = 0;
    size_t layers_removed = 0;
    uint64_t bytes_freed = 0;
};

class Store {
public:
    enum class LockMode { Shared, Exclusive };

    // Holds the store lock until destroyed. Nested guards of one Store share the flock; an
    // exclusive request inside a shared one upgrades it.
    class Guard {
    public:
        Guard(Guard&& o) noexcept : store_(o.store_), prev_exclusive_(o.prev_exclusive_) {
            o.store_ = nullptr;
        }
        Guard& operator=(Guard&&) = delete;
        ~Guard();

    private:
        friend class Store;
        Guard(Store* s, bool prev_exclusive) : store_(s), prev_exclusive_(prev_exclusive) {}
        Store* store_;
        bool prev_exclusive_;
    };

    // Creates the layout under root when missing.
    static Result<Store> open(const std::string& root = kDefaultStoreRoot);
    Store(Store&& o) noexcept;
    Store& operator=(Store&&) = delete;
    Store(const Store&) = delete;
    ~Store();

    const std::string& root() const { return root_; }
    Result<Guard> lock(LockMode mode);

    // ---- blobs ----
    std::string blob_path(const std::string& digest) const;
    bool has_blob(const std::string& digest) const;
    // Reads a small blob (manifest, config) and checks its digest again.
    Result<std::string> read_blob(const std::string& digest, size_t max_size = 16 << 20);
    // Produces up to `len` bytes into buf; returns 0 at the end.
    using Reader = std::function<Result<size_t>(char* buf, size_t len)>;
    // Writes a blob through tmp/ and renames it into blobs/ only if its digest (and size, when
    // given >= 0) match `expected` (when non-empty). Returns the digest. `added` is set when
    // the blob was not in the store before.
    Result<std::string> put_blob(const Reader& read, const std::string& expected = "",
                                 int64_t expected_size = -1, bool* added = nullptr);
    Result<std::string> put_blob(std::string_view data, const std::string& expected = "",
                                 bool* added = nullptr);
    Result<std::string> put_blob_file(const std::string& path, const std::string& expected = "",
                                      int64_t expected_size = -1, bool* added = nullptr);
    // Moves a finished download (a file under tmp_dir()) into blobs/ after checking its digest
    // and size; the file is gone afterwards either way.
    Result<void> adopt_blob(const std::string& tmp_path, const std::string& digest, int64_t size);
    Result<void> remove_blob(const std::string& digest);

    // ---- references ----
    // Canonical reference string -> manifest digest.
    Result<std::map<std::string, std::string>> references();
    // The manifest digest a reference names. A digest reference resolves when the store holds
    // that manifest; the error says "image not found: busybox:latest".
    Result<std::string> resolve(const Reference& ref);
    // Resolves a user's string: a reference, or a (prefix of an) image id (config digest hex,
    // at least 4 digits, unique), like docker.
    Result<std::string> resolve_name(const std::string& name);
    Result<void> set_reference(const Reference& ref, const std::string& manifest_digest);
    // Removes the reference; not finding it is an error naming it.
    Result<void> remove_reference(const Reference& ref);

    // ---- images ----
    Result<Image> image(const std::string& manifest_digest);

    // ---- layers ----
    std::string layer_path(const std::string& diff_id) const;
    bool has_layer(const std::string& diff_id) const;

    // Removes blobs and unpacked layers that no reference, and no container under
    // containers/ (its "layers" file), reaches; with clear_tmp, also empties tmp/ (partial
    // downloads an interrupted pull would resume from).
    Result<GcStats> gc(bool clear_tmp = true);

    std::string tmp_dir() const { return root_ + "/tmp"; }
    std::string containers_dir() const { return root_ + "/containers"; }

private:
    Store(std::string root, int lock_fd, int index_lock_fd)
        : root_(std::move(root)), lock_fd_(lock_fd), index_lock_fd_(index_lock_fd) {}
    Result<void> update_index(
        const std::function<Result<void>(std::map<std::string, std::string>&)>& change);
    Result<std::map<std::string, std::string>> read_index();
    Result<void> write_index(const std::map<std::string, std::string>& refs);
    void unlock_to(bool prev_exclusive);

    std::string root_;
    int lock_fd_ = -1;
    int index_lock_fd_ = -1;
    int lock_depth_ = 0;
    bool lock_exclusive_ = false;
};

} // namespace skiff::image
