// Pushing, as docker does: the layers and the config in parallel (up to opts.parallel at
// once), each one skipped when the registry has it in the target repository (HEAD), mounted
// from another repository of the same registry known to hold it (blob-sources, see
// pull_push.hpp), or else uploaded in one monolithic PUT; then the manifest under the tag.
#include <cerrno>
#include <memory>
#include <vector>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.hpp"
#include "http.hpp"
#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/registry.hpp"
#include "pull_push.hpp"

namespace skiff::image {
namespace {

std::string absolute(const http::Session& s, const std::string& location) {
    if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
    return s.url(location);
}

std::string http_error(const http::Response& r) {
    return "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : " " + r.body.substr(0, 200));
}

// The upload's URL from a 202 answer to POST .../blobs/uploads/.
Result<std::string> upload_url(const http::Session& s, const http::Response& r, const std::string& what,
                               const std::string& digest) {
    auto loc = r.headers.find("location");
    if (r.status != 202 || loc == r.headers.end())
        return Error{"push " + what + ": start upload of " + digest + ": " + http_error(r)};
    return absolute(s, loc->second);
}

Result<void> push_blob(Store& store, http::Session& s, const Descriptor& d, const Reference& remote,
                       const std::string& what, Progress& progress) {
    auto head = SKIFF_TRY(s.request("HEAD", s.repo_url("/blobs/" + d.digest), {}));
    if (head.status == 200) {
        note_blob_source(store, d.digest, remote);
        progress({d.digest, uint64_t(d.size), uint64_t(d.size), true, true});
        return ok();
    }
    std::string url;
    for (const auto& from : blob_sources(store, d.digest, remote)) {
        auto m = SKIFF_TRY(s.request("POST", s.repo_url("/blobs/uploads/?mount=" + d.digest + "&from=" + from),
                                     {"Content-Length: 0"}));
        if (m.status == 201) {
            note_blob_source(store, d.digest, remote);
            BlobProgress p{d.digest, uint64_t(d.size), uint64_t(d.size), true, true};
            p.mounted_from = from;
            progress(p);
            return ok();
        }
        // 202: the registry could not mount (it lacks the blob there, or we may not read that
        // repository) and started an ordinary upload instead.
        if (m.status == 202) {
            url = SKIFF_TRY(upload_url(s, m, what, d.digest));
            break;
        }
    }
    if (url.empty()) {
        auto start = SKIFF_TRY(s.request("POST", s.repo_url("/blobs/uploads/"), {"Content-Length: 0"}));
        url = SKIFF_TRY(upload_url(s, start, what, d.digest));
    }
    url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + d.digest;
    std::string path = store.blob_path(d.digest);
    fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) return errno_error("stat " + path);
    auto put = SKIFF_TRY(s.request("PUT", url, {"Content-Type: application/octet-stream"}, nullptr,
                                   nullptr, fd.get(), st.st_size));
    if (put.status != 201) return Error{"push " + what + ": upload " + d.digest + ": " + http_error(put)};
    note_blob_source(store, d.digest, remote);
    progress({d.digest, uint64_t(st.st_size), uint64_t(st.st_size), true, false});
    return ok();
}

} // namespace

Result<std::string> push_image(Store& store, const Reference& local, const Reference& remote,
                               const RegistryOptions& opts) {
    auto guard = SKIFF_TRY(store.lock(Store::LockMode::Shared));
    auto md = SKIFF_TRY(store.resolve(local));
    auto img = SKIFF_TRY(store.image(md));
    auto manifest = SKIFF_TRY(store.read_blob(md));
    std::string what = remote.familiar();
    auto auth = std::make_shared<http::AuthState>();
    auth->creds = http::credentials_for(remote.registry_host(), opts);
    const std::string scope = "repository:" + remote.path + ":pull,push";
    std::vector<Descriptor> blobs = {img.manifest.config};
    blobs.insert(blobs.end(), img.manifest.layers.begin(), img.manifest.layers.end());
    Progress progress(opts.progress), quiet(nullptr); // docker shows layers only
    SKIFF_CHECK(run_parallel(
        blobs.size(), opts.parallel, [&] { return std::make_unique<http::Session>(remote, opts, auth, scope); },
        [&](http::Session& s, size_t i) { return push_blob(store, s, blobs[i], remote, what, i == 0 ? quiet : progress); }));
    http::Session s(remote, opts, auth, scope);
    std::string target = remote.tag.empty() ? md : remote.tag;
    auto put = SKIFF_TRY(s.request("PUT", s.repo_url("/manifests/" + target),
                                   {"Content-Type: " + img.manifest.media_type}, nullptr, &manifest));
    if (put.status != 201) return Error{"push " + what + ": manifest: " + http_error(put)};
    return md;
}

} // namespace skiff::image
