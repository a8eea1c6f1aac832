// Pushing: each blob the registry lacks goes up in one monolithic upload (POST then PUT with
// ?digest=), then the manifest under the tag.
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

namespace skiff::image {
namespace {

std::string absolute(const http::Session& s, const std::string& location) {
    if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
    return s.url(location);
}

Result<void> push_blob(Store& store, http::Session& s, const Descriptor& d, const std::string& what,
                       const std::function<void(const BlobProgress&)>& progress) {
    auto head = SKIFF_TRY(s.request("HEAD", s.repo_url("/blobs/" + d.digest), {}));
    if (head.status == 200) {
        if (progress) progress({d.digest, uint64_t(d.size), uint64_t(d.size), true, true});
        return ok();
    }
    auto start = SKIFF_TRY(s.request("POST", s.repo_url("/blobs/uploads/"), {"Content-Length: 0"}));
    auto loc = start.headers.find("location");
    if (start.status != 202 || loc == start.headers.end())
        return Error{"push " + what + ": start upload of " + d.digest + ": HTTP " + std::to_string(start.status)};
    std::string url = absolute(s, loc->second);
    url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + d.digest;
    std::string path = store.blob_path(d.digest);
    fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    struct stat st;
    if (::fstat(fd.get(), &st) < 0) return errno_error("stat " + path);
    auto put = SKIFF_TRY(s.request("PUT", url, {"Content-Type: application/octet-stream"}, nullptr,
                                   nullptr, fd.get(), st.st_size));
    if (put.status != 201)
        return Error{"push " + what + ": upload " + d.digest + ": HTTP " + std::to_string(put.status) +
                     (put.body.empty() ? "" : " " + put.body.substr(0, 200))};
    if (progress) progress({d.digest, uint64_t(st.st_size), uint64_t(st.st_size), true, false});
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
    http::Session s(remote, opts, auth, "repository:" + remote.path + ":pull,push");
    for (const auto& l : img.manifest.layers) SKIFF_CHECK(push_blob(store, s, l, what, opts.progress));
    SKIFF_CHECK(push_blob(store, s, img.manifest.config, what, nullptr)); // docker shows layers only
    std::string target = remote.tag.empty() ? md : remote.tag;
    auto put = SKIFF_TRY(s.request("PUT", s.repo_url("/manifests/" + target),
                                   {"Content-Type: " + img.manifest.media_type}, nullptr, &manifest));
    if (put.status != 201)
        return Error{"push " + what + ": manifest: HTTP " + std::to_string(put.status) +
                     (put.body.empty() ? "" : " " + put.body.substr(0, 200))};
    return md;
}

} // namespace skiff::image
