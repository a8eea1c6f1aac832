// Loading images from OCI layouts, OCI archives and `docker save` archives.
#include "skiff/oci/image/load.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

using json = nlohmann::json;

struct ArchiveReadDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};

// Strips "./" and leading "/" so archive paths compare the way their writers meant them.
std::string clean_path(std::string p) {
    while (p.rfind("./", 0) == 0) p.erase(0, 2);
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    return p;
}

// "blobs/sha256/<hex>" -> "sha256:<hex>", else "".
std::string blob_digest_of_path(const std::string& p) {
    const std::string prefix = "blobs/sha256/";
    if (p.rfind(prefix, 0) != 0) return "";
    std::string d = "sha256:" + p.substr(prefix.size());
    return validate_digest(d) ? d : "";
}

std::string layer_media_type(const std::string& blob_path) {
    unsigned char magic[4] = {};
    fs::Fd fd(::open(blob_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd && ::read(fd.get(), magic, 4) == 4) {
        if (magic[0] == 0x1f && magic[1] == 0x8b) return media::kOciLayerGzip;
        if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            return media::kOciLayerZstd;
    }
    return media::kOciLayer;
}

class Loader {
public:
    Loader(Store& store, const LoadOptions& opts, std::string source)
        : store_(store), opts_(opts), source_(std::move(source)) {}

    // Puts a blob the source holds into the store (the layout: from its file; the archive:
    // already streamed in, so a missing one is an error).
    std::function<Result<void>(const Descriptor&, bool* added)> fetch;

    std::set<std::string> added; // blobs this load put into the store

    Result<std::vector<LoadedImage>> from_oci_index(const std::string& index_json);
    Result<std::vector<LoadedImage>> from_docker_manifest(
        const std::string& manifest_json, const std::map<std::string, std::string>& small_files,
        const std::function<Result<std::string>(const std::string&)>& digest_of_path);
    Result<std::vector<LoadedImage>> commit(std::vector<LoadedImage> images);
    void rollback() {
        for (const auto& d : added) (void)store_.remove_blob(d);
    }

private:
    Result<void> ensure(const Descriptor& d, const std::string& what);
    Result<std::string> resolve(const Descriptor& d, const std::string& where, int depth);
    Result<void> check_image(const std::string& manifest_digest);
    Result<Reference> default_name(const std::string& tag, const std::string& where);

    Store& store_;
    LoadOptions opts_;
    std::string source_;
};

Result<void> Loader::ensure(const Descriptor& d, const std::string& what) {
    if (!store_.has_blob(d.digest)) {
        bool was_added = false;
        auto r = fetch(d, &was_added);
        if (!r) return r.error().wrap(what);
        if (was_added) added.insert(d.digest);
    }
    struct stat st;
    if (::stat(store_.blob_path(d.digest).c_str(), &st) < 0)
        return errno_error(what + " " + d.digest);
    if (st.st_size != d.size)
        return Error{what + " " + d.digest + ": size " + std::to_string(st.st_size) +
                     ", descriptor says " + std::to_string(d.size)};
    return ok();
}

Result<std::string> Loader::resolve(const Descriptor& d, const std::string& where, int depth) {
    if (depth > 4) return Error{where + ": indexes nested too deep"};
    if (is_manifest_type(d.media_type)) {
        SKIFF_CHECK(ensure(d, where + ": manifest"));
        return d.digest;
    }
    if (!is_index_type(d.media_type))
        return Error{where + ": unsupported media type \"" + d.media_type + "\""};
    SKIFF_CHECK(ensure(d, where + ": index"));
    auto text = SKIFF_TRY(store_.read_blob(d.digest));
    std::string src = "index " + d.digest;
    auto idx = SKIFF_TRY(parse_index(text, src));
    auto pick = SKIFF_TRY(pick_platform(idx, src, opts_.os, opts_.arch));
    return resolve(pick, src, depth + 1);
}

Result<void> Loader::check_image(const std::string& manifest_digest) {
    std::string where = "manifest " + manifest_digest;
    auto m = SKIFF_TRY(parse_manifest(SKIFF_TRY(store_.read_blob(manifest_digest)), where));
    SKIFF_CHECK(ensure(m.config, where + ": config"));
    for (size_t i = 0; i < m.layers.size(); ++i)
        SKIFF_CHECK(ensure(m.layers[i], where + ": layers[" + std::to_string(i) + "]"));
    auto img = SKIFF_TRY(store_.image(manifest_digest)); // config parses, diff ids match layers
    if (!img.config.os.empty() && img.config.os != opts_.os)
        return Error{where + ": image is for " + img.config.os + "/" + img.config.architecture +
                     ", not " + opts_.os + "/" + opts_.arch};
    return ok();
}

Result<Reference> Loader::default_name(const std::string& tag, const std::string& where) {
    if (opts_.name.empty() && opts_.allow_untagged) return Reference{}; // path "": untagged
    if (opts_.name.empty())
        return Error{where + ": the image has " +
                     (tag.empty() ? std::string("no name") : "only the tag \"" + tag + "\"") +
                     "; give a repository name to load it as"};
    auto ref = parse_reference(opts_.name);
    if (!ref) return std::move(ref).error();
    std::string last = opts_.name.substr(opts_.name.rfind('/') == std::string::npos ? 0 : opts_.name.rfind('/'));
    bool explicit_tag = last.substr(0, last.find('@')).find(':') != std::string::npos;
    if (!explicit_tag && !tag.empty()) ref->tag = tag; // an explicit tag in the name wins
    ref->digest.clear();
    return *ref;
}

Result<std::vector<LoadedImage>> Loader::from_oci_index(const std::string& index_json) {
    std::string where = source_ + ": index.json";
    auto idx = SKIFF_TRY(parse_index(index_json, where));
    std::vector<LoadedImage> out;
    for (size_t i = 0; i < idx.manifests.size(); ++i) {
        const auto& d = idx.manifests[i];
        std::string w = where + ": manifests[" + std::to_string(i) + "]";
        // Attestation and other platforms' manifests at top level are not images to load.
        if (d.platform && (d.platform->os != opts_.os || d.platform->architecture != opts_.arch))
            continue;
        Reference ref;
        auto cname = d.annotations.find(kContainerdNameAnnotation);
        auto rname = d.annotations.find(kRefNameAnnotation);
        if (cname != d.annotations.end()) {
            auto r = parse_reference(cname->second);
            if (!r) return r.error().wrap(w);
            ref = *r;
        } else if (rname != d.annotations.end() && !is_valid_tag(rname->second)) {
            auto r = parse_reference(rname->second);
            if (!r) return r.error().wrap(w);
            ref = *r;
        } else {
            ref = SKIFF_TRY(default_name(rname != d.annotations.end() ? rname->second : "", w));
        }
        ref.digest.clear();
        if (ref.tag.empty()) ref.tag = "latest";
        auto md = SKIFF_TRY(resolve(d, w, 0));
        SKIFF_CHECK(check_image(md));
        out.push_back({ref.path.empty() ? "" : ref.str(), md});
    }
    if (out.empty()) return Error{where + ": no " + opts_.os + "/" + opts_.arch + " image"};
    return out;
}

Result<std::vector<LoadedImage>> Loader::from_docker_manifest(
    const std::string& manifest_json, const std::map<std::string, std::string>& small_files,
    const std::function<Result<std::string>(const std::string&)>& digest_of_path) {
    std::string where = source_ + ": manifest.json";
    json j = json::parse(manifest_json, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return Error{where + ": expected a JSON array"};
    std::vector<LoadedImage> out;
    for (size_t i = 0; i < j.size(); ++i) {
        std::string w = where + "[" + std::to_string(i) + "]";
        const json& e = j[i];
        if (!e.is_object() || !e.contains("Config") || !e["Config"].is_string() ||
            !e.contains("Layers") || !e["Layers"].is_array())
            return Error{w + ": expected {\"Config\": path, \"Layers\": [paths], \"RepoTags\": [...]}"};
        std::string cfg_path = clean_path(e["Config"].get<std::string>());
        Manifest m;
        m.media_type = media::kOciManifest;
        m.config.media_type = media::kOciConfig;
        if (auto it = small_files.find(cfg_path); it != small_files.end()) {
            bool was_added = false;
            m.config.digest = SKIFF_TRY(store_.put_blob(it->second, "", &was_added));
            if (was_added) added.insert(m.config.digest);
        } else {
            m.config.digest = SKIFF_TRY(digest_of_path(cfg_path));
        }
        struct stat st;
        if (::stat(store_.blob_path(m.config.digest).c_str(), &st) < 0)
            return errno_error(w + ": Config " + cfg_path);
        m.config.size = st.st_size;
        for (size_t k = 0; k < e["Layers"].size(); ++k) {
            if (!e["Layers"][k].is_string()) return Error{w + ": Layers[" + std::to_string(k) + "]: expected a path"};
            std::string lp = clean_path(e["Layers"][k].get<std::string>());
            Descriptor d;
            auto dg = digest_of_path(lp);
            if (!dg) return dg.error().wrap(w + ": Layers[" + std::to_string(k) + "]");
            d.digest = *dg;
            d.media_type = layer_media_type(store_.blob_path(d.digest));
            if (::stat(store_.blob_path(d.digest).c_str(), &st) < 0)
                return errno_error(w + ": layer " + lp);
            d.size = st.st_size;
            m.layers.push_back(d);
        }
        bool was_added = false;
        std::string md = SKIFF_TRY(store_.put_blob(dump_manifest(m), "", &was_added));
        if (was_added) added.insert(md);
        auto cfg = store_.image(md);
        if (!cfg) return cfg.error().wrap(w);
        std::vector<Reference> refs;
        if (e.contains("RepoTags") && e["RepoTags"].is_array())
            for (const auto& t : e["RepoTags"]) {
                if (!t.is_string()) continue;
                auto r = parse_reference(t.get<std::string>());
                if (!r) return r.error().wrap(w + ": RepoTags");
                refs.push_back(*r);
            }
        if (refs.empty()) refs.push_back(SKIFF_TRY(default_name("", w)));
        for (auto& r : refs) {
            if (r.tag.empty()) r.tag = "latest";
            r.digest.clear();
            out.push_back({r.path.empty() ? "" : r.str(), md});
        }
    }
    if (out.empty()) return Error{where + ": no images"};
    return out;
}

Result<std::vector<LoadedImage>> Loader::commit(std::vector<LoadedImage> images) {
    for (const auto& im : images)
        if (!im.reference.empty())
            SKIFF_CHECK(store_.set_reference(parse_reference(im.reference).value(), im.manifest_digest));
    // Blobs the file held for other platforms are not kept.
    std::set<std::string> reached;
    for (const auto& im : images) {
        reached.insert(im.manifest_digest);
        auto img = store_.image(im.manifest_digest);
        if (!img) continue;
        reached.insert(img->config_digest);
        for (const auto& l : img->manifest.layers) reached.insert(l.digest);
    }
    for (const auto& d : added)
        if (!reached.count(d)) (void)store_.remove_blob(d);
    return images;
}

Result<void> check_layout_marker(const std::string& text, const std::string& where) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("imageLayoutVersion"))
        return Error{where + ": not an OCI layout marker (want {\"imageLayoutVersion\": \"1.0.0\"})"};
    return ok();
}

} // namespace

Result<std::vector<LoadedImage>> load_oci_layout(Store& store, const std::string& dir,
                                                 const LoadOptions& opts) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Exclusive));
    auto marker = fs::read_file(dir + "/oci-layout");
    if (!marker) return marker.error().wrap(dir + ": not an OCI image layout");
    SKIFF_CHECK(check_layout_marker(*marker, dir + "/oci-layout"));
    auto index = SKIFF_TRY(fs::read_file(dir + "/index.json"));
    Loader loader(store, opts, dir);
    loader.fetch = [&](const Descriptor& d, bool* added) -> Result<void> {
        auto r = store.put_blob_file(dir + "/blobs/sha256/" + digest_hex(d.digest), d.digest,
                                     d.size, added);
        if (!r) return std::move(r).error();
        return ok();
    };
    auto images = loader.from_oci_index(index);
    if (images) images = loader.commit(std::move(*images));
    if (!images) loader.rollback();
    return images;
}

Result<std::vector<LoadedImage>> load_archive(Store& store, const std::string& tar_path,
                                              const LoadOptions& opts) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Exclusive));
    Loader loader(store, opts, tar_path);
    std::map<std::string, std::string> small;   // path -> content (json documents)
    std::map<std::string, std::string> stored;  // path -> digest of the blob put in the store
    std::map<std::string, std::string> aliases; // symlink path -> target path

    auto scan = [&]() -> Result<void> {
        std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
        archive_read_support_filter_all(a.get());
        archive_read_support_format_tar(a.get());
        if (archive_read_open_filename(a.get(), tar_path.c_str(), 1 << 20) != ARCHIVE_OK)
            return Error{tar_path + ": " + archive_error_string(a.get())};
        while (true) {
            archive_entry* e;
            int r = archive_read_next_header(a.get(), &e);
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN) return Error{tar_path + ": " + archive_error_string(a.get())};
            const char* raw = archive_entry_pathname(e);
            std::string path = clean_path(raw ? raw : "");
            if (archive_entry_filetype(e) == AE_IFLNK) {
                std::string target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
                std::string base = fs::dirname(path);
                // docker writes "<id>/layer.tar -> ../<other>/layer.tar" for shared layers.
                std::string joined = base == "." ? target : base + "/" + target;
                std::vector<std::string> parts;
                size_t pos = 0;
                while (pos <= joined.size()) {
                    auto s = joined.find('/', pos);
                    if (s == std::string::npos) s = joined.size();
                    std::string c = joined.substr(pos, s - pos);
                    if (c == "..") {
                        if (!parts.empty()) parts.pop_back();
                    } else if (!c.empty() && c != ".") {
                        parts.push_back(c);
                    }
                    pos = s + 1;
                }
                std::string norm;
                for (const auto& p : parts) norm += (norm.empty() ? "" : "/") + p;
                aliases[path] = norm;
                continue;
            }
            if (archive_entry_filetype(e) != AE_IFREG) continue;
            std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
            std::string expected = blob_digest_of_path(path);
            bool small_doc = expected.empty() &&
                             ((base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) ||
                              base == "repositories" || base == "oci-layout" || base == "json" ||
                              base == "VERSION");
            if (small_doc) {
                if (archive_entry_size(e) > (16 << 20))
                    return Error{tar_path + ": " + path + ": larger than 16 MiB"};
                std::string content(size_t(archive_entry_size(e)), '\0');
                la_ssize_t n = archive_read_data(a.get(), content.data(), content.size());
                if (n < 0 || size_t(n) != content.size())
                    return Error{tar_path + ": read " + path + ": " +
                                 (archive_error_string(a.get()) ? archive_error_string(a.get()) : "short")};
                small[path] = std::move(content);
                continue;
            }
            bool added = false;
            auto d = store.put_blob(
                [&](char* buf, size_t len) -> Result<size_t> {
                    la_ssize_t n = archive_read_data(a.get(), buf, len);
                    if (n < 0) return Error{std::string("read: ") + archive_error_string(a.get())};
                    return size_t(n);
                },
                expected, archive_entry_size_is_set(e) ? archive_entry_size(e) : -1, &added);
            if (!d) return d.error().wrap(tar_path + ": " + path);
            if (added) loader.added.insert(*d);
            stored[path] = *d;
        }
        return ok();
    };
    auto images = [&]() -> Result<std::vector<LoadedImage>> {
        SKIFF_CHECK(scan());
        if (small.count("oci-layout") && small.count("index.json")) {
            SKIFF_CHECK(check_layout_marker(small["oci-layout"], tar_path + ": oci-layout"));
            loader.fetch = [&](const Descriptor& d, bool*) -> Result<void> {
                return Error{"blob " + d.digest + " is not in the archive"};
            };
            return loader.from_oci_index(small["index.json"]);
        }
        if (small.count("manifest.json")) {
            auto digest_of = [&](const std::string& p) -> Result<std::string> {
                std::string path = p;
                for (int hops = 0; hops < 8 && aliases.count(path); ++hops) path = aliases[path];
                if (auto it = stored.find(path); it != stored.end()) return it->second;
                if (auto d = blob_digest_of_path(path); !d.empty() && store.has_blob(d)) return d;
                return Error{"\"" + p + "\" is not in the archive"};
            };
            return loader.from_docker_manifest(small["manifest.json"], small, digest_of);
        }
        return Error{tar_path + ": neither an OCI archive (oci-layout, index.json) nor a docker "
                                "save archive (manifest.json)"};
    }();
    if (images) images = loader.commit(std::move(*images));
    if (!images) loader.rollback();
    return images;
}

namespace {
std::string name_from_path(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    std::string base = p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1);
    for (const char* ext : {".tar.gz", ".tgz", ".tar.zst", ".tar", ".oci"}) {
        std::string e = ext;
        if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
            base.resize(base.size() - e.size());
            break;
        }
    }
    if (base.find_first_of(":@") != std::string::npos || !parse_reference(base)) return "";
    return base;
}
} // namespace

Result<std::vector<LoadedImage>> load_image(Store& store, const std::string& path,
                                            const LoadOptions& opts) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return errno_error("load " + path);
    LoadOptions o = opts;
    if (o.name.empty()) o.name = name_from_path(path);
    if (S_ISDIR(st.st_mode)) return load_oci_layout(store, path, o);
    return load_archive(store, path, o);
}

} // namespace skiff::image
