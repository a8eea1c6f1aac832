// A registry session over libcurl: base URL, auth (basic, bearer challenge answering) and the
// few request shapes the distribution API needs. One session per thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/oci/image/registry.hpp"

namespace skiff::image::http {

struct Response {
    long status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
};

// Shared by the sessions of one pull/push: the token once obtained.
struct AuthState {
    std::string creds;  // configured "user:pass" (options or credentials file), fixed
    std::mutex mu;
    std::string basic;  // "user:pass" or empty
    std::string bearer; // token
};

class Session {
public:
    Session(const Reference& ref, const RegistryOptions& opts, std::shared_ptr<AuthState> auth,
            std::string scope);
    ~Session();
    Session(const Session&) = delete;

    std::string url(const std::string& path) const { return base_ + path; }
    std::string repo_url(const std::string& tail) const { return base_ + "/v2/" + repo_ + tail; }

    // Sends; on 401 answers the challenge once and retries. `sink` receives the body instead
    // of Response::body when set (return false to abort); `upload` is the body to send.
    Result<Response> request(const std::string& method, const std::string& url,
                             const std::vector<std::string>& headers,
                             const std::function<bool(long, const char*, size_t)>& sink = nullptr,
                             const std::string* upload = nullptr, int upload_fd = -1,
                             int64_t upload_size = -1);

private:
    Result<Response> perform(const std::string& method, const std::string& url,
                             const std::vector<std::string>& headers,
                             const std::function<bool(long, const char*, size_t)>& sink,
                             const std::string* upload, int upload_fd, int64_t upload_size);
    Result<void> answer_challenge(const std::string& challenge);

    void* curl_;
    std::string base_, repo_, scope_, host_;
    std::shared_ptr<AuthState> auth_;
};

// Credentials for host from the options or the docker config file: "user:pass" or "".
std::string credentials_for(const std::string& host, const RegistryOptions& opts);
std::string base64_encode(const std::string& s);
std::string base64_decode(const std::string& s);

} // namespace skiff::image::http
