#include "skiff/oci/image/store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {

using json = nlohmann::json;

Result<Store> Store::open(const std::string& root_in) {
    std::string root = root_in;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (root.empty()) return Error{"image store: empty root path"};
    for (const char* sub : {"", "/blobs/sha256", "/layers", "/containers", "/tmp"}) {
        auto r = fs::mkdir_p(root + sub, 0700);
        if (!r) return r.error().wrap("image store " + root);
    }
    int fd = ::open((root + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return errno_error("open " + root + "/lock");
    int ifd = ::open((root + "/index.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (ifd < 0) {
        ::close(fd);
        return errno_error("open " + root + "/index.lock");
    }
    return Store(root, fd, ifd);
}

Store::Store(Store&& o) noexcept
    : root_(std::move(o.root_)), lock_fd_(o.lock_fd_), index_lock_fd_(o.index_lock_fd_),
      lock_depth_(o.lock_depth_), lock_exclusive_(o.lock_exclusive_) {
    o.lock_fd_ = -1;
    o.index_lock_fd_ = -1;
    o.lock_depth_ = 0;
}

Store::~Store() {
    if (lock_fd_ >= 0) ::close(lock_fd_); // closing drops the flock
    if (index_lock_fd_ >= 0) ::close(index_lock_fd_);
}

Result<Store::Guard> Store::lock(LockMode mode) {
    bool want_ex = mode == LockMode::Exclusive;
    bool prev = lock_exclusive_;
    if (lock_depth_ == 0 || (want_ex && !lock_exclusive_)) {
        int op = want_ex ? LOCK_EX : LOCK_SH;
        while (::flock(lock_fd_, op) < 0)
            if (errno != EINTR) return errno_error("flock " + root_ + "/lock");
        lock_exclusive_ = want_ex;
    }
    ++lock_depth_;
    return Guard(this, prev);
}

void Store::unlock_to(bool prev_exclusive) {
    if (--lock_depth_ == 0) {
        ::flock(lock_fd_, LOCK_UN);
        lock_exclusive_ = false;
    } else if (lock_exclusive_ && !prev_exclusive) {
        ::flock(lock_fd_, LOCK_SH);
        lock_exclusive_ = false;
    }
}

Store::Guard::~Guard() {
    if (store_) store_->unlock_to(prev_exclusive_);
}

// ---- blobs ----

std::string Store::blob_path(const std::string& digest) const {
    return root_ + "/blobs/sha256/" + digest_hex(digest);
}

bool Store::has_blob(const std::string& digest) const {
    return validate_digest(digest).ok() && fs::exists(blob_path(digest));
}

Result<std::string> Store::read_blob(const std::string& digest, size_t max_size) {
    SKIFF_CHECK(validate_digest(digest));
    auto data = fs::read_file(blob_path(digest), max_size);
    if (!data) {
        if (data.error().code == ENOENT) return Error{"blob " + digest + " not in the store", ENOENT};
        return std::move(data).error();
    }
    if (sha256_digest(*data) != digest)
        return Error{"blob " + digest + ": content does not match its digest (store corrupt)"};
    return data;
}

Result<std::string> Store::put_blob(const Reader& read, const std::string& expected,
                                    int64_t expected_size, bool* added) {
    if (added) *added = false;
    if (!expected.empty()) SKIFF_CHECK(validate_digest(expected));
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    std::string tmp = tmp_dir() + "/" + fs::temp_name("blob");
    fs::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) return errno_error("create " + tmp);
    auto fail = [&](Error e) -> Error {
        fd.reset();
        ::unlink(tmp.c_str());
        return e;
    };
    Sha256 hash;
    std::vector<char> buf(1 << 20);
    while (true) {
        auto n = read(buf.data(), buf.size());
        if (!n) return fail(std::move(n).error());
        if (*n == 0) break;
        hash.update(buf.data(), *n);
        if (expected_size >= 0 && hash.bytes() > uint64_t(expected_size))
            return fail(Error{"blob " + (expected.empty() ? std::string("data") : expected) +
                              ": larger than its declared size " + std::to_string(expected_size)});
        if (auto w = fs::write_all(fd.get(), buf.data(), *n, tmp); !w) return fail(w.error());
    }
    uint64_t size = hash.bytes();
    std::string digest = hash.digest();
    if (!expected.empty() && digest != expected)
        return fail(Error{"blob " + expected + ": content has digest " + digest});
    if (expected_size >= 0 && size != uint64_t(expected_size))
        return fail(Error{"blob " + digest + ": size " + std::to_string(size) + ", declared " +
                          std::to_string(expected_size)});
    std::string dest = blob_path(digest);
    if (fs::exists(dest)) {
        fail(Error{});
        return digest;
    }
    // A blob's name is its digest: the content must be durable before the name is, and the
    // name before the reference (index.json) that will point at it.
    if (::fsync(fd.get()) < 0) return fail(errno_error("fsync " + tmp));
    fd.reset();
    if (::rename(tmp.c_str(), dest.c_str()) < 0)
        return fail(errno_error("rename " + tmp + " to " + dest));
    SKIFF_CHECK(fs::fsync_dir(fs::dirname(dest)));
    if (added) *added = true;
    return digest;
}

Result<std::string> Store::put_blob(std::string_view data, const std::string& expected,
                                    bool* added) {
    size_t off = 0;
    return put_blob(
        [&](char* buf, size_t len) -> Result<size_t> {
            size_t n = std::min(len, data.size() - off);
            std::memcpy(buf, data.data() + off, n);
            off += n;
            return n;
        },
        expected, int64_t(data.size()), added);
}

Result<std::string> Store::put_blob_file(const std::string& path, const std::string& expected,
                                         int64_t expected_size, bool* added) {
    fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    return put_blob(
        [&](char* buf, size_t len) -> Result<size_t> {
            while (true) {
                ssize_t n = ::read(fd.get(), buf, len);
                if (n >= 0) return size_t(n);
                if (errno != EINTR) return errno_error("read " + path);
            }
        },
        expected, expected_size, added);
}

Result<void> Store::adopt_blob(const std::string& tmp_path, const std::string& digest,
                               int64_t size, bool hashed) {
    SKIFF_CHECK(validate_digest(digest));
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    auto r = [&]() -> Result<void> {
        fs::Fd fd(::open(tmp_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return errno_error("open " + tmp_path);
        Sha256 hash;
        std::vector<char> buf(hashed ? 0 : 1 << 20);
        while (!hashed) {
            ssize_t n = ::read(fd.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno_error("read " + tmp_path);
            }
            if (n == 0) break;
            hash.update(buf.data(), size_t(n));
        }
        struct stat st;
        if (hashed && ::fstat(fd.get(), &st) < 0) return errno_error("stat " + tmp_path);
        uint64_t got = hashed ? uint64_t(st.st_size) : hash.bytes();
        std::string d = hashed ? digest : hash.digest();
        if (d != digest) return Error{"blob " + digest + ": content has digest " + d + " (rejected, not stored)"};
        if (size >= 0 && got != uint64_t(size))
            return Error{"blob " + digest + ": size " + std::to_string(got) + ", declared " +
                         std::to_string(size)};
        // As in put_blob: content, then name, durable before a reference can point here.
        if (::fsync(fd.get()) < 0) return errno_error("fsync " + tmp_path);
        if (::rename(tmp_path.c_str(), blob_path(digest).c_str()) < 0)
            return errno_error("rename " + tmp_path + " to " + blob_path(digest));
        return fs::fsync_dir(fs::dirname(blob_path(digest)));
    }();
    if (!r) ::unlink(tmp_path.c_str());
    return r;
}

Result<void> Store::remove_blob(const std::string& digest) {
    SKIFF_CHECK(validate_digest(digest));
    auto guard = SKIFF_TRY(lock(LockMode::Exclusive)); // another user may rely on it
    if (::unlink(blob_path(digest).c_str()) < 0 && errno != ENOENT)
        return errno_error("unlink " + blob_path(digest));
    return ok();
}

// ---- references ----

Result<std::map<std::string, std::string>> Store::read_index() {
    std::string path = root_ + "/index.json";
    auto text = fs::read_file(path);
    if (!text) {
        if (text.error().code == ENOENT) return std::map<std::string, std::string>{};
        return std::move(text).error();
    }
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("references") ||
        !j["references"].is_object())
        return Error{path + ": not a skiff image index (want {\"references\": {...}})"};
    std::map<std::string, std::string> refs;
    for (auto& [k, v] : j["references"].items()) {
        if (!v.is_string()) return Error{path + ": references." + k + ": expected a string"};
        refs[k] = v.get<std::string>();
    }
    return refs;
}

Result<void> Store::write_index(const std::map<std::string, std::string>& refs) {
    json j = {{"schemaVersion", 1}, {"references", refs}};
    // fsynced (write_file_atomic): a reference that `pull` or `load` reported must survive
    // a crash, and never as a torn index that loses every other reference.
    return fs::write_file_atomic(root_ + "/index.json", j.dump(2) + "\n", 0600);
}

Result<std::map<std::string, std::string>> Store::references() {
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    return read_index();
}

Result<std::string> Store::resolve(const Reference& ref) {
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    auto refs = SKIFF_TRY(read_index());
    if (!ref.digest.empty()) {
        // Any name pinned to a digest the store holds resolves, as with docker.
        for (const auto& [name, digest] : refs)
            if (digest == ref.digest) return digest;
        if (has_blob(ref.digest)) return ref.digest;
        return Error{"image not found: " + ref.familiar(), ENOENT};
    }
    auto it = refs.find(ref.str());
    if (it == refs.end()) return Error{"image not found: " + ref.familiar(), ENOENT};
    return it->second;
}

Result<std::string> Store::resolve_name(const std::string& name) {
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    bool hexish = name.size() >= 4 && name.size() <= 71;
    std::string hex = name.rfind("sha256:", 0) == 0 ? name.substr(7) : name;
    for (char c : hex) hexish &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (hexish && !hex.empty()) {
        auto refs = SKIFF_TRY(read_index());
        std::set<std::string> found;
        for (const auto& [r, manifest] : refs) {
            auto img = image(manifest);
            if (!img) continue;
            if (digest_hex(img->config_digest).rfind(hex, 0) == 0 ||
                digest_hex(manifest).rfind(hex, 0) == 0)
                found.insert(manifest);
        }
        if (found.size() == 1) return *found.begin();
        if (found.size() > 1) return Error{"image id prefix \"" + name + "\" is ambiguous"};
    }
    auto ref = parse_reference(name);
    if (!ref) return std::move(ref).error();
    return resolve(*ref);
}

Result<void> Store::update_index(
    const std::function<Result<void>(std::map<std::string, std::string>&)>& change) {
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    while (::flock(index_lock_fd_, LOCK_EX) < 0)
        if (errno != EINTR) return errno_error("flock " + root_ + "/index.lock");
    auto r = [&]() -> Result<void> {
        auto refs = SKIFF_TRY(read_index());
        SKIFF_CHECK(change(refs));
        return write_index(refs);
    }();
    ::flock(index_lock_fd_, LOCK_UN);
    return r;
}

Result<void> Store::set_reference(const Reference& ref, const std::string& manifest_digest) {
    SKIFF_CHECK(validate_digest(manifest_digest));
    if (!has_blob(manifest_digest))
        return Error{"tag " + ref.familiar() + ": manifest " + manifest_digest + " not in the store"};
    return update_index([&](std::map<std::string, std::string>& refs) -> Result<void> {
        refs[ref.str()] = manifest_digest;
        return ok();
    });
}

Result<void> Store::remove_reference(const Reference& ref) {
    return update_index([&](std::map<std::string, std::string>& refs) -> Result<void> {
        if (refs.erase(ref.str()) == 0) return Error{"image not found: " + ref.familiar(), ENOENT};
        return ok();
    });
}

// ---- images ----

Result<Image> Store::image(const std::string& manifest_digest) {
    auto guard = SKIFF_TRY(lock(LockMode::Shared));
    Image img;
    img.manifest_digest = manifest_digest;
    auto text = SKIFF_TRY(read_blob(manifest_digest));
    img.manifest = SKIFF_TRY(parse_manifest(text, "manifest " + manifest_digest));
    img.config_digest = img.manifest.config.digest;
    img.config_json = SKIFF_TRY(read_blob(img.config_digest));
    img.config = SKIFF_TRY(parse_image_config(img.config_json, "image config " + img.config_digest));
    if (img.config.diff_ids.size() != img.manifest.layers.size())
        return Error{"image " + manifest_digest + ": manifest has " +
                     std::to_string(img.manifest.layers.size()) + " layers, config " +
                     std::to_string(img.config.diff_ids.size()) + " diff_ids"};
    return img;
}

// ---- layers ----

std::string Store::layer_path(const std::string& diff_id) const {
    return root_ + "/layers/" + digest_hex(diff_id);
}

bool Store::has_layer(const std::string& diff_id) const {
    return validate_digest(diff_id).ok() && fs::exists(layer_path(diff_id));
}

// ---- gc ----

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (auto* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") out.push_back(n);
        }
        ::closedir(d);
    }
    return out;
}

} // namespace

Result<GcStats> Store::gc(bool clear_tmp) {
    auto guard = SKIFF_TRY(lock(LockMode::Exclusive));
    std::set<std::string> blobs, layers; // hex digests kept
    auto refs = SKIFF_TRY(read_index());
    std::vector<std::string> todo;
    for (const auto& [r, d] : refs) todo.push_back(d);
    // Walk manifests and indexes; a reference whose blobs are missing or corrupt keeps what it
    // still reaches rather than failing the whole collection.
    while (!todo.empty()) {
        std::string d = todo.back();
        todo.pop_back();
        if (!blobs.insert(digest_hex(d)).second) continue;
        auto text = read_blob(d);
        if (!text) continue;
        json j = json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        std::string mt = j.value("mediaType", "");
        if (j.contains("manifests")) {
            auto idx = parse_index(*text, d);
            if (idx)
                for (const auto& m : idx->manifests)
                    if (has_blob(m.digest)) todo.push_back(m.digest);
        } else if (j.contains("layers")) {
            auto m = parse_manifest(*text, d);
            if (!m) continue;
            blobs.insert(digest_hex(m->config.digest));
            for (const auto& l : m->layers) blobs.insert(digest_hex(l.digest));
            auto cfg = read_blob(m->config.digest);
            if (!cfg) continue;
            auto c = parse_image_config(*cfg, m->config.digest);
            if (c)
                for (const auto& id : c->diff_ids) layers.insert(digest_hex(id));
        }
    }
    // A container whose "layers" file is missing or empty lost it in a crash (it is not
    // fsynced, rootfs.cpp): its layers are unknown, so this collection keeps every layer.
    bool keep_all_layers = false;
    for (const auto& id : list_dir(containers_dir())) {
        auto text = fs::read_file(containers_dir() + "/" + id + "/layers");
        if (!text || text->empty()) {
            keep_all_layers = true;
            continue;
        }
        size_t pos = 0;
        while (pos < text->size()) {
            auto nl = text->find('\n', pos);
            if (nl == std::string::npos) nl = text->size();
            std::string line = text->substr(pos, nl - pos);
            if (validate_digest(line)) layers.insert(digest_hex(line));
            pos = nl + 1;
        }
    }
    if (keep_all_layers)
        for (const auto& name : list_dir(root_ + "/layers")) layers.insert(name);
    GcStats st;
    std::string bdir = root_ + "/blobs/sha256";
    for (const auto& name : list_dir(bdir)) {
        if (blobs.count(name)) continue;
        struct stat sb;
        std::string p = bdir + "/" + name;
        if (::lstat(p.c_str(), &sb) == 0) st.bytes_freed += uint64_t(sb.st_size);
        if (::unlink(p.c_str()) < 0 && errno != ENOENT) return errno_error("unlink " + p);
        ::unlink((root_ + "/blob-sources/" + name).c_str()); // where registries had it (pull_push.hpp)
        ++st.blobs_removed;
    }
    for (const auto& name : list_dir(root_ + "/layers")) {
        // A layer's recorded size (unpack.hpp) goes with the layer.
        bool size_file = name.size() > 5 && name.compare(name.size() - 5, 5, ".size") == 0;
        if (layers.count(size_file ? name.substr(0, name.size() - 5) : name)) continue;
        SKIFF_CHECK(fs::remove_tree(root_ + "/layers/" + name));
        if (!size_file) ++st.layers_removed;
    }
    if (clear_tmp)
        for (const auto& name : list_dir(tmp_dir())) SKIFF_CHECK(fs::remove_tree(tmp_dir() + "/" + name));
    return st;
}

} // namespace skiff::image
