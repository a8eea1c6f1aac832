#include "catalog.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../table.hpp"
#include "skiff/oci/image/bundle.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/unpack.hpp"

namespace skiff::skiffcli {

Result<image::Store> open_store(const Globals& g) { return image::Store::open(g.root); }

std::string short_id(const std::string& digest) { return image::digest_hex(digest).substr(0, 12); }

namespace {

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (auto* e = ::readdir(d))
            if (e->d_name[0] != '.') out.emplace_back(e->d_name);
        ::closedir(d);
    }
    return out;
}

Result<ImageRow> row_for(image::Store& store, const std::string& manifest_digest) {
    auto img = SKIFF_TRY(store.image(manifest_digest));
    ImageRow r;
    r.manifest_digest = manifest_digest;
    r.image_id = img.config_digest;
    r.created = parse_rfc3339(img.config.created);
    r.size = uint64_t(img.config_json.size());
    for (size_t i = 0; i < img.manifest.layers.size(); ++i) {
        const auto& l = img.manifest.layers[i];
        auto unpacked = image::layer_unpacked_size(store, l, img.config.diff_ids[i]);
        // A blob gone from a damaged store must not hide the image from the listing.
        r.size += unpacked ? *unpacked : uint64_t(l.size);
    }
    return r;
}

// Manifests sit among layers in blobs/: only small files that parse as an image manifest count.
bool looks_like_manifest(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0 || st.st_size > (4 << 20) || st.st_size < 2) return false;
    std::ifstream f(path);
    if (f.peek() != '{') return false;
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    return !j.is_discarded() && j.is_object() && j.contains("layers") && j.contains("config");
}

} // namespace

Result<std::vector<ImageRow>> list_images(image::Store& store, bool untagged) {
    auto guard = SKIFF_TRY(store.lock(image::Store::LockMode::Shared));
    auto refs = SKIFF_TRY(store.references());
    std::vector<ImageRow> rows;
    std::map<std::string, ImageRow> by_manifest; // read each image once
    for (const auto& [name, digest] : refs) {
        auto it = by_manifest.find(digest);
        if (it == by_manifest.end()) {
            auto r = row_for(store, digest);
            if (!r) return r.error().wrap("image " + name);
            it = by_manifest.emplace(digest, *r).first;
        }
        ImageRow row = it->second;
        row.reference = name;
        auto ref = image::parse_reference(name);
        if (!ref) return ref.error().wrap(store.root() + "/index.json");
        image::Reference repo = *ref;
        repo.tag.clear();
        repo.digest.clear();
        row.repository = repo.familiar();
        row.tag = ref->tag.empty() ? "<none>" : ref->tag;
        rows.push_back(row);
    }
    if (untagged) {
        std::string dir = store.root() + "/blobs/sha256";
        for (const auto& hex : entries(dir)) {
            std::string d = "sha256:" + hex;
            if (by_manifest.count(d) || !looks_like_manifest(dir + "/" + hex)) continue;
            auto r = row_for(store, d);
            if (!r) continue; // a manifest whose config is gone is not an image
            r->repository = r->tag = "<none>";
            rows.push_back(*r);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ImageRow& a, const ImageRow& b) {
        return a.created != b.created ? a.created > b.created : a.reference < b.reference;
    });
    return rows;
}

Result<std::string> find_image(image::Store& store, const std::string& name) {
    auto md = store.resolve_name(name);
    if (md) return md;
    if (md.error().message.find("ambiguous") != std::string::npos) return md;
    std::string hex = name.rfind("sha256:", 0) == 0 ? name.substr(7) : name;
    if (hex.size() >= 4 && hex.find_first_not_of("0123456789abcdef") == std::string::npos) {
        auto rows = SKIFF_TRY(list_images(store, true));
        std::set<std::string> found;
        for (const auto& r : rows)
            if (image::digest_hex(r.image_id).rfind(hex, 0) == 0 || image::digest_hex(r.manifest_digest).rfind(hex, 0) == 0)
                found.insert(r.manifest_digest);
        if (found.size() == 1) return *found.begin();
        if (found.size() > 1) return Error{"image id prefix \"" + name + "\" is ambiguous"};
    }
    return Error{"No such image: " + name, ENOENT};
}

std::vector<std::string> containers_using(const image::Store& store, const std::string& manifest_digest) {
    std::vector<std::string> ids;
    for (const auto& id : entries(store.containers_dir())) {
        std::ifstream f(store.containers_dir() + "/" + id + "/config.json");
        if (!f) continue;
        auto j = nlohmann::json::parse(f, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        auto a = j.find("annotations");
        if (a == j.end() || !a->is_object()) continue;
        auto d = a->find(image::kImageDigestAnnotation);
        if (d != a->end() && d->is_string() && *d == manifest_digest) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace skiff::skiffcli
