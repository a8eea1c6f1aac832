// Pulling: manifest (through an index to the platform's), then config and layers in parallel,
// each streamed to tmp/<hex>.partial (resumed with Range) and adopted into blobs/ once its
// digest checks out. The reference is written last, so an interrupted pull names nothing.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <vector>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.hpp"
#include "http.hpp"
#include "pull_push.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/registry.hpp"

namespace skiff::image {
namespace {

const std::string kAccept = std::string("Accept: ") + media::kOciManifest + ", " + media::kOciIndex +
                            ", " + media::kDockerManifest + ", " + media::kDockerManifestList;

// The registry's own words when it gives them: {"errors":[{"code":..,"message":..}]}.
std::string registry_error(const http::Response& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    std::string msg = "HTTP " + std::to_string(r.status);
    if (!j.is_discarded() && j.is_object() && j.contains("errors") && j["errors"].is_array() &&
        !j["errors"].empty() && j["errors"][0].is_object()) {
        auto& e = j["errors"][0];
        if (e.contains("code") && e["code"].is_string()) msg += " " + e["code"].get<std::string>();
        if (e.contains("message") && e["message"].is_string())
            msg += ": " + e["message"].get<std::string>();
    }
    return msg;
}

struct Fetched {
    std::string body, digest, media_type;
};

Result<Fetched> fetch_manifest(http::Session& s, const std::string& what, const std::string& target,
                               const std::string& expect_digest) {
    auto r = SKIFF_TRY(s.request("GET", s.repo_url("/manifests/" + target), {kAccept}));
    if (r.status == 404) return Error{"pull " + what + ": manifest unknown (" + registry_error(r) + ")"};
    if (r.status != 200) return Error{"pull " + what + ": GET manifest: " + registry_error(r)};
    Fetched f;
    f.body = std::move(r.body);
    f.digest = sha256_digest(f.body);
    if (!expect_digest.empty() && f.digest != expect_digest)
        return Error{"pull " + what + ": manifest has digest " + f.digest + ", want " + expect_digest};
    auto hd = r.headers.find("docker-content-digest");
    if (hd != r.headers.end() && hd->second != f.digest && hd->second.rfind("sha256:", 0) == 0)
        return Error{"pull " + what + ": manifest has digest " + f.digest + ", registry says " + hd->second};
    f.media_type = r.headers["content-type"];
    auto j = nlohmann::json::parse(f.body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("mediaType") && j["mediaType"].is_string())
        f.media_type = j["mediaType"];
    else if (!j.is_discarded() && j.is_object() && j.contains("manifests"))
        f.media_type = media::kOciIndex;
    return f;
}

// One blob into the store, resuming a partial download another attempt left.
Result<void> download_blob(Store& store, http::Session& s, const Descriptor& d, Progress& progress) {
    if (store.has_blob(d.digest)) {
        progress({d.digest, uint64_t(d.size), uint64_t(d.size), true, true});
        return ok();
    }
    std::string path = store.tmp_dir() + "/" + digest_hex(d.digest) + ".partial";
    fs::Fd fd;
    // Two pulls of one blob take turns on the partial file (flock); the second finds it done.
    for (int attempt = 0; attempt < 3; ++attempt) {
        fd.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!fd) return errno_error("open " + path);
        while (::flock(fd.get(), LOCK_EX) < 0)
            if (errno != EINTR) return errno_error("flock " + path);
        struct stat a, b;
        if (::fstat(fd.get(), &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino) break;
        fd.reset();
        if (store.has_blob(d.digest)) {
            progress({d.digest, uint64_t(d.size), uint64_t(d.size), true, true});
            return ok();
        }
    }
    if (!fd) return Error{"download " + d.digest + ": partial file keeps changing"};
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) return errno_error("stat " + path);
    uint64_t have = uint64_t(st.st_size);
    if (d.size >= 0 && have > uint64_t(d.size)) {
        if (::ftruncate(fd.get(), 0) < 0) return errno_error("truncate " + path);
        have = 0;
    }
    const uint64_t resumed_from = have;
    // The digest is computed as the bytes arrive (after the part an earlier attempt left), so
    // the finished file is not read again.
    Sha256 hash;
    {
        std::vector<char> buf(1 << 20);
        for (uint64_t off = 0; off < have;) {
            ssize_t n = ::pread(fd.get(), buf.data(), std::min<uint64_t>(buf.size(), have - off), off_t(off));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return errno_error("read " + path);
            hash.update(buf.data(), size_t(n));
            off += uint64_t(n);
        }
    }
    // A connection that breaks mid-blob is picked up where it broke (Range), a few times, as
    // long as each attempt brings more bytes.
    for (int attempt = 0; have < uint64_t(d.size) || (d.size == 0 && attempt == 0); ++attempt) {
        std::vector<std::string> headers;
        if (have > 0) headers.push_back("Range: bytes=" + std::to_string(have) + "-");
        uint64_t done = have;
        bool started = false;
        auto r = s.request("GET", s.repo_url("/blobs/" + d.digest), headers,
                           [&](long status, const char* data, size_t len) {
                               if (!started) {
                                   started = true;
                                   if (status == 200 && have > 0) { // the range was ignored
                                       if (::ftruncate(fd.get(), 0) < 0) return false;
                                       done = 0;
                                       hash = Sha256();
                                   }
                                   ::lseek(fd.get(), off_t(done), SEEK_SET);
                               }
                               if (!fs::write_all(fd.get(), data, len, path)) return false;
                               hash.update(data, len);
                               done += len;
                               if (d.size >= 0 && done > uint64_t(d.size)) return false;
                               progress({d.digest, done, uint64_t(d.size), false, false});
                               return true;
                           });
        if (r && r->status != 200 && r->status != 206 && !(r->status == 416 && have == uint64_t(d.size)))
            return Error{"download " + d.digest + ": " + registry_error(*r)};
        bool grew = done > have;
        have = done;
        if (r) {
            if (d.size >= 0 && have < uint64_t(d.size) && !grew)
                return Error{"download " + d.digest + ": the registry sent " + std::to_string(have) + " of " +
                             std::to_string(d.size) + " bytes"};
            continue;
        }
        if (d.size >= 0 && have > uint64_t(d.size)) {
            ::unlink(path.c_str());
            return Error{"download " + d.digest + ": the registry sent more than the " +
                         std::to_string(d.size) + " bytes the manifest declares"};
        }
        if (!grew || attempt >= 5) return r.error().wrap("download " + d.digest);
    }
    std::string got = hash.digest();
    Result<void> adopted = ok();
    if (got != d.digest) {
        ::unlink(path.c_str());
        adopted = Error{"blob " + d.digest + ": content has digest " + got + " (rejected, not stored)"};
    } else {
        adopted = store.adopt_blob(path, d.digest, d.size, true);
    }
    if (!adopted && resumed_from > 0) {
        // The partial file we resumed was not a prefix of this blob: start over once.
        fd.reset();
        return download_blob(store, s, d, progress);
    }
    if (!adopted) return adopted.error();
    progress({d.digest, uint64_t(d.size), uint64_t(d.size), true, false});
    return ok();
}

} // namespace

Result<LoadedImage> pull_image(Store& store, const Reference& ref, const RegistryOptions& opts) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    auto auth = std::make_shared<http::AuthState>();
    auth->creds = http::credentials_for(ref.registry_host(), opts);
    std::string scope = "repository:" + ref.path + ":pull";
    http::Session s(ref, opts, auth, scope);
    std::string what = ref.familiar();

    auto f = SKIFF_TRY(fetch_manifest(s, what, ref.digest.empty() ? ref.tag : ref.digest, ref.digest));
    std::string index_body, index_digest;
    for (int depth = 0; is_index_type(f.media_type); ++depth) {
        if (depth > 2) return Error{"pull " + what + ": indexes nested too deep"};
        auto idx = SKIFF_TRY(parse_index(f.body, "index " + f.digest));
        auto pick = SKIFF_TRY(pick_platform(idx, "pull " + what, opts.os, opts.arch));
        f = SKIFF_TRY(fetch_manifest(s, what, pick.digest, pick.digest));
    }
    auto m = SKIFF_TRY(parse_manifest(f.body, "manifest " + f.digest));

    std::vector<Descriptor> blobs = {m.config};
    blobs.insert(blobs.end(), m.layers.begin(), m.layers.end());
    Progress progress(opts.progress), quiet(nullptr); // docker shows layers, not the config
    auto pulled = run_parallel(
        blobs.size(), opts.parallel, [&] { return std::make_unique<http::Session>(ref, opts, auth, scope); },
        [&](http::Session& ws, size_t i) { return download_blob(store, ws, blobs[i], i == 0 ? quiet : progress); });
    if (!pulled) return pulled.error().wrap("pull " + what);
    // A later push to another repository of this registry mounts these instead of uploading.
    for (const auto& b : blobs) note_blob_source(store, b.digest, ref);

    auto md = SKIFF_TRY(store.put_blob(f.body, f.digest));
    auto img = store.image(md);
    if (!img) return img.error().wrap("pull " + what);
    Reference named = ref;
    if (!named.tag.empty()) named.digest.clear();
    else named.digest = md;
    SKIFF_CHECK(store.set_reference(named, md));
    return LoadedImage{named.str(), md};
}

} // namespace skiff::image
