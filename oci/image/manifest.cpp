#include "skiff/oci/image/manifest.hpp"

#include <nlohmann/json.hpp>

#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

using json = nlohmann::json;

Error field_error(const std::string& source, const std::string& field, const std::string& what) {
    return Error{source + ": " + field + ": " + what};
}

Result<json> parse_json(std::string_view text, const std::string& source) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Error{source + ": not valid JSON"};
    if (!j.is_object()) return Error{source + ": expected a JSON object"};
    return j;
}

Result<std::string> get_string(const json& j, const char* key, const std::string& source,
                               const std::string& path, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) return field_error(source, path + key, "missing");
        return std::string();
    }
    if (!it->is_string()) return field_error(source, path + key, "expected a string");
    return it->get<std::string>();
}

Result<std::vector<std::string>> get_strings(const json& j, const char* key,
                                             const std::string& source, const std::string& path) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) return field_error(source, path + key, "expected an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_string())
            return field_error(source, path + key + "[" + std::to_string(i) + "]",
                               "expected a string");
        out.push_back((*it)[i].get<std::string>());
    }
    return out;
}

Result<std::map<std::string, std::string>> get_string_map(const json& j, const char* key,
                                                          const std::string& source,
                                                          const std::string& path) {
    std::map<std::string, std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_object()) return field_error(source, path + key, "expected an object");
    for (auto& [k, v] : it->items()) {
        if (!v.is_string())
            return field_error(source, path + key + "." + k, "expected a string");
        out[k] = v.get<std::string>();
    }
    return out;
}

std::vector<std::string> object_keys(const json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_object())
        for (auto& [k, v] : it->items()) out.push_back(k);
    return out;
}

Result<Descriptor> parse_descriptor(const json& j, const std::string& source,
                                    const std::string& path) {
    if (!j.is_object()) return field_error(source, path, "expected an object");
    Descriptor d;
    d.media_type = SKIFF_TRY(get_string(j, "mediaType", source, path + ".", true));
    d.digest = SKIFF_TRY(get_string(j, "digest", source, path + ".", true));
    if (auto v = validate_digest(d.digest); !v)
        return field_error(source, path + ".digest", v.error().message);
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
        return field_error(source, path + ".size", "expected a non-negative integer");
    d.size = size->get<int64_t>();
    d.annotations = SKIFF_TRY(get_string_map(j, "annotations", source, path + "."));
    if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
        Platform pl;
        pl.os = SKIFF_TRY(get_string(*p, "os", source, path + ".platform.", false));
        pl.architecture = SKIFF_TRY(get_string(*p, "architecture", source, path + ".platform.", false));
        pl.variant = SKIFF_TRY(get_string(*p, "variant", source, path + ".platform.", false));
        d.platform = pl;
    }
    return d;
}

json descriptor_json(const Descriptor& d) {
    json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
    if (!d.annotations.empty()) j["annotations"] = d.annotations;
    if (d.platform) {
        json p = {{"os", d.platform->os}, {"architecture", d.platform->architecture}};
        if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
        j["platform"] = p;
    }
    return j;
}

} // namespace

bool is_index_type(std::string_view t) {
    return t == media::kOciIndex || t == media::kDockerManifestList;
}

bool is_manifest_type(std::string_view t) {
    return t == media::kOciManifest || t == media::kDockerManifest;
}

bool is_layer_type(std::string_view t) {
    return t == media::kOciLayer || t == media::kOciLayerGzip || t == media::kOciLayerZstd ||
           t == media::kDockerLayerGzip ||
           t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
           t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ||
           t == "application/vnd.docker.image.rootfs.diff.tar";
}

Result<Manifest> parse_manifest(std::string_view text, const std::string& source) {
    json j = SKIFF_TRY(parse_json(text, source));
    Manifest m;
    auto sv = j.find("schemaVersion");
    if (sv == j.end() || !sv->is_number_integer() || sv->get<int>() != 2)
        return field_error(source, "schemaVersion", "expected 2");
    m.media_type = SKIFF_TRY(get_string(j, "mediaType", source, "", false));
    if (m.media_type.empty()) m.media_type = media::kOciManifest;
    if (is_index_type(m.media_type))
        return field_error(source, "mediaType", "is an index, not an image manifest");
    if (!is_manifest_type(m.media_type))
        return field_error(source, "mediaType", "unsupported manifest type \"" + m.media_type + "\"");
    auto cfg = j.find("config");
    if (cfg == j.end()) return field_error(source, "config", "missing");
    m.config = SKIFF_TRY(parse_descriptor(*cfg, source, "config"));
    auto layers = j.find("layers");
    if (layers == j.end() || !layers->is_array())
        return field_error(source, "layers", "expected an array");
    for (size_t i = 0; i < layers->size(); ++i) {
        std::string path = "layers[" + std::to_string(i) + "]";
        auto d = SKIFF_TRY(parse_descriptor((*layers)[i], source, path));
        if (!is_layer_type(d.media_type))
            return field_error(source, path + ".mediaType",
                               "unsupported layer type \"" + d.media_type + "\"");
        m.layers.push_back(std::move(d));
    }
    m.annotations = SKIFF_TRY(get_string_map(j, "annotations", source, ""));
    return m;
}

Result<Index> parse_index(std::string_view text, const std::string& source) {
    json j = SKIFF_TRY(parse_json(text, source));
    Index idx;
    auto sv = j.find("schemaVersion");
    if (sv == j.end() || !sv->is_number_integer() || sv->get<int>() != 2)
        return field_error(source, "schemaVersion", "expected 2");
    idx.media_type = SKIFF_TRY(get_string(j, "mediaType", source, "", false));
    if (idx.media_type.empty()) idx.media_type = media::kOciIndex;
    if (!is_index_type(idx.media_type))
        return field_error(source, "mediaType", "not an image index: \"" + idx.media_type + "\"");
    auto ms = j.find("manifests");
    if (ms == j.end() || !ms->is_array()) return field_error(source, "manifests", "expected an array");
    for (size_t i = 0; i < ms->size(); ++i)
        idx.manifests.push_back(
            SKIFF_TRY(parse_descriptor((*ms)[i], source, "manifests[" + std::to_string(i) + "]")));
    idx.annotations = SKIFF_TRY(get_string_map(j, "annotations", source, ""));
    return idx;
}

Result<ImageConfig> parse_image_config(std::string_view text, const std::string& source) {
    json j = SKIFF_TRY(parse_json(text, source));
    ImageConfig c;
    c.os = SKIFF_TRY(get_string(j, "os", source, "", false));
    c.architecture = SKIFF_TRY(get_string(j, "architecture", source, "", false));
    c.variant = SKIFF_TRY(get_string(j, "variant", source, "", false));
    c.created = SKIFF_TRY(get_string(j, "created", source, "", false));
    if (auto cfg = j.find("config"); cfg != j.end() && !cfg->is_null()) {
        if (!cfg->is_object()) return field_error(source, "config", "expected an object");
        c.user = SKIFF_TRY(get_string(*cfg, "User", source, "config.", false));
        c.working_dir = SKIFF_TRY(get_string(*cfg, "WorkingDir", source, "config.", false));
        c.stop_signal = SKIFF_TRY(get_string(*cfg, "StopSignal", source, "config.", false));
        c.env = SKIFF_TRY(get_strings(*cfg, "Env", source, "config."));
        c.entrypoint = SKIFF_TRY(get_strings(*cfg, "Entrypoint", source, "config."));
        c.cmd = SKIFF_TRY(get_strings(*cfg, "Cmd", source, "config."));
        c.labels = SKIFF_TRY(get_string_map(*cfg, "Labels", source, "config."));
        c.exposed_ports = object_keys(*cfg, "ExposedPorts");
        c.volumes = object_keys(*cfg, "Volumes");
    }
    auto rootfs = j.find("rootfs");
    if (rootfs == j.end() || !rootfs->is_object()) return field_error(source, "rootfs", "missing");
    c.diff_ids = SKIFF_TRY(get_strings(*rootfs, "diff_ids", source, "rootfs."));
    for (size_t i = 0; i < c.diff_ids.size(); ++i)
        if (auto v = validate_digest(c.diff_ids[i]); !v)
            return field_error(source, "rootfs.diff_ids[" + std::to_string(i) + "]",
                               v.error().message);
    return c;
}

std::string dump_manifest(const Manifest& m) {
    json j = {{"schemaVersion", 2}, {"mediaType", m.media_type}, {"config", descriptor_json(m.config)}};
    j["layers"] = json::array();
    for (const auto& l : m.layers) j["layers"].push_back(descriptor_json(l));
    if (!m.annotations.empty()) j["annotations"] = m.annotations;
    return j.dump();
}

std::string dump_index(const Index& idx) {
    json j = {{"schemaVersion", 2}, {"mediaType", idx.media_type}};
    j["manifests"] = json::array();
    for (const auto& d : idx.manifests) j["manifests"].push_back(descriptor_json(d));
    if (!idx.annotations.empty()) j["annotations"] = idx.annotations;
    return j.dump();
}

Result<Descriptor> pick_platform(const Index& index, const std::string& source,
                                 const std::string& os, const std::string& arch) {
    for (const auto& d : index.manifests)
        if (d.platform && d.platform->os == os && d.platform->architecture == arch &&
            is_manifest_type(d.media_type))
            return d;
    // Single-platform layouts (skopeo, buildah) often omit the platform.
    std::vector<const Descriptor*> plain;
    for (const auto& d : index.manifests)
        if (!d.platform && (is_manifest_type(d.media_type) || is_index_type(d.media_type)))
            plain.push_back(&d);
    if (plain.size() == 1) return *plain[0];
    std::string offered;
    for (const auto& d : index.manifests) {
        if (!offered.empty()) offered += ", ";
        offered += d.platform ? d.platform->os + "/" + d.platform->architecture : "unspecified";
    }
    return Error{source + ": no manifest for " + os + "/" + arch + " (offers: " +
                 (offered.empty() ? "none" : offered) + ")"};
}

} // namespace skiff::image
