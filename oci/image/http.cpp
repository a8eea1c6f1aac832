#include "http.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "fs.hpp"

namespace skiff::image::http {
namespace {

struct CurlInit {
    CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

bool is_local(const std::string& host) {
    std::string h = host.substr(0, host.rfind(':') == std::string::npos || host[0] == '[' ? host.size() : host.rfind(':'));
    if (host[0] == '[') h = host.substr(0, host.find(']') + 1);
    return h == "localhost" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

struct Transfer {
    Response* resp;
    const std::function<bool(long, const char*, size_t)>* sink;
    bool aborted = false;
};

size_t on_header(char* data, size_t size, size_t n, void* ctx) {
    auto* t = static_cast<Transfer*>(ctx);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) { // each response of a redirect chain starts anew
        t->resp->headers.clear();
        auto sp = line.find(' ');
        t->resp->status = sp == std::string::npos ? 0 : std::atol(line.c_str() + sp + 1);
    }
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string k = line.substr(0, colon), v = line.substr(colon + 1);
        for (auto& c : k) c = char(std::tolower(uint8_t(c)));
        while (!v.empty() && std::isspace(uint8_t(v.front()))) v.erase(0, 1);
        while (!v.empty() && std::isspace(uint8_t(v.back()))) v.pop_back();
        t->resp->headers[k] = v;
    }
    return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* ctx) {
    auto* t = static_cast<Transfer*>(ctx);
    if (t->sink && *t->sink && t->resp->status < 300) {
        if (!(*t->sink)(t->resp->status, data, size * n)) {
            t->aborted = true;
            return 0;
        }
    } else {
        if (t->resp->body.size() > (64 << 20)) return 0;
        t->resp->body.append(data, size * n);
    }
    return size * n;
}

struct UploadSource {
    const std::string* data;
    int fd;
    size_t off = 0;
};

size_t on_read(char* buf, size_t size, size_t n, void* ctx) {
    auto* u = static_cast<UploadSource*>(ctx);
    if (u->data) {
        size_t k = std::min(size * n, u->data->size() - u->off);
        std::memcpy(buf, u->data->data() + u->off, k);
        u->off += k;
        return k;
    }
    ssize_t r = ::read(u->fd, buf, size * n);
    return r < 0 ? CURL_READFUNC_ABORT : size_t(r);
}

// Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"
std::map<std::string, std::string> parse_challenge(const std::string& h, std::string& scheme) {
    std::map<std::string, std::string> out;
    auto sp = h.find(' ');
    scheme = h.substr(0, sp);
    for (auto& c : scheme) c = char(std::tolower(uint8_t(c)));
    size_t i = sp == std::string::npos ? h.size() : sp + 1;
    while (i < h.size()) {
        while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
        auto eq = h.find('=', i);
        if (eq == std::string::npos) break;
        std::string k = h.substr(i, eq - i), v;
        i = eq + 1;
        if (i < h.size() && h[i] == '"') {
            auto end = h.find('"', i + 1);
            v = h.substr(i + 1, end - i - 1);
            i = end == std::string::npos ? h.size() : end + 1;
        } else {
            auto end = h.find(',', i);
            v = h.substr(i, end - i);
            i = end == std::string::npos ? h.size() : end;
        }
        out[k] = v;
    }
    return out;
}

std::string url_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            char b[4];
            std::snprintf(b, sizeof b, "%%%02X", c);
            out += b;
        }
    }
    return out;
}

} // namespace

std::string base64_encode(const std::string& s) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        uint32_t v = uint32_t(uint8_t(s[i])) << 16 | uint32_t(uint8_t(s[i + 1])) << 8 | uint8_t(s[i + 2]);
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == s.size()) {
        uint32_t v = uint32_t(uint8_t(s[i])) << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == s.size()) {
        uint32_t v = uint32_t(uint8_t(s[i])) << 16 | uint32_t(uint8_t(s[i + 1])) << 8;
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

std::string base64_decode(const std::string& s) {
    std::string out;
    uint32_t v = 0;
    int bits = 0;
    for (char c : s) {
        int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (d < 0) continue;
        v = v << 6 | uint32_t(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((v >> bits) & 0xff);
        }
    }
    return out;
}

std::string credentials_for(const std::string& host, const RegistryOptions& opts) {
    if (!opts.username.empty()) return opts.username + ":" + opts.password;
    std::string path = opts.credentials_file;
    if (path.empty()) {
        if (const char* f = std::getenv("REGISTRY_AUTH_FILE"); f && *f) path = f;
        else if (const char* d = std::getenv("DOCKER_CONFIG")) path = std::string(d) + "/config.json";
        else if (const char* h = std::getenv("HOME")) path = std::string(h) + "/.docker/config.json";
    }
    auto text = fs::read_file(path, 1 << 20);
    if (!text) return "";
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.contains("auths") || !j["auths"].is_object()) return "";
    for (const std::string& key : {host, "https://" + host, "http://" + host,
                                   host == "registry-1.docker.io" ? std::string("https://index.docker.io/v1/") : host}) {
        auto it = j["auths"].find(key);
        if (it != j["auths"].end() && it->is_object() && it->contains("auth") && (*it)["auth"].is_string())
            return base64_decode((*it)["auth"].get<std::string>());
    }
    return "";
}

Session::Session(const Reference& ref, const RegistryOptions& opts, std::shared_ptr<AuthState> auth,
                 std::string scope)
    : curl_(nullptr), repo_(ref.path), scope_(std::move(scope)), host_(ref.registry_host()),
      auth_(std::move(auth)) {
    static CurlInit init;
    curl_ = curl_easy_init();
    base_ = (opts.insecure || is_local(host_) ? "http://" : "https://") + host_;
}

Session::~Session() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<Response> Session::perform(const std::string& method, const std::string& url,
                                  const std::vector<std::string>& headers,
                                  const std::function<bool(long, const char*, size_t)>& sink,
                                  const std::string* upload, int upload_fd, int64_t upload_size) {
    CURL* c = static_cast<CURL*>(curl_);
    curl_easy_reset(c);
    Response resp;
    Transfer t{&resp, &sink};
    curl_slist* hl = nullptr;
    for (const auto& h : headers) hl = curl_slist_append(hl, h.c_str());
    {
        std::lock_guard<std::mutex> lk(auth_->mu);
        if (!auth_->bearer.empty())
            hl = curl_slist_append(hl, ("Authorization: Bearer " + auth_->bearer).c_str());
        else if (!auth_->basic.empty())
            hl = curl_slist_append(hl, ("Authorization: Basic " + base64_encode(auth_->basic)).c_str());
    }
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    // Blob redirects go to storage (S3, CDN) that must not receive our registry credentials.
    curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "skiff/0.1");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    UploadSource src{upload, upload_fd};
    if (method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT" || method == "POST" || method == "PATCH") {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
        int64_t size = upload ? int64_t(upload->size()) : upload_size < 0 ? 0 : upload_size;
        if (!upload && upload_fd < 0) src.data = &resp.body; // empty body
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, curl_off_t(size));
        if (method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    if (t.aborted) return Error{method + " " + url + ": aborted"};
    if (rc != CURLE_OK) return Error{method + " " + url + ": " + curl_easy_strerror(rc)};
    return resp;
}

Result<Response> Session::request(const std::string& method, const std::string& url,
                                  const std::vector<std::string>& headers,
                                  const std::function<bool(long, const char*, size_t)>& sink,
                                  const std::string* upload, int upload_fd, int64_t upload_size) {
    off_t start = upload_fd >= 0 ? ::lseek(upload_fd, 0, SEEK_CUR) : 0;
    auto r = SKIFF_TRY(perform(method, url, headers, sink, upload, upload_fd, upload_size));
    if (r.status != 401) return r;
    auto challenge = r.headers["www-authenticate"];
    if (challenge.empty()) return Error{method + " " + url + ": 401 Unauthorized without a challenge"};
    SKIFF_CHECK(answer_challenge(challenge));
    if (upload_fd >= 0) ::lseek(upload_fd, start, SEEK_SET);
    r = SKIFF_TRY(perform(method, url, headers, sink, upload, upload_fd, upload_size));
    if (r.status == 401)
        return Error{method + " " + url + ": unauthorized" +
                     (auth_->creds.empty() ? " (no credentials for " + host_ + ")"
                                           : std::string(" (credentials rejected)"))};
    return r;
}

Result<void> Session::answer_challenge(const std::string& challenge) {
    std::string scheme;
    auto params = parse_challenge(challenge, scheme);
    std::string creds = auth_->creds;
    if (scheme == "basic") {
        if (creds.empty()) return Error{host_ + ": registry wants basic auth; no credentials for it"};
        std::lock_guard<std::mutex> lk(auth_->mu);
        auth_->basic = creds;
        return ok();
    }
    if (scheme != "bearer") return Error{host_ + ": unsupported auth scheme \"" + scheme + "\""};
    std::string realm = params["realm"];
    if (realm.empty()) return Error{host_ + ": bearer challenge without a realm"};
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    if (!params["service"].empty()) url += "service=" + url_escape(params["service"]) + "&";
    url += "scope=" + url_escape(params.count("scope") ? params["scope"] : scope_);
    CURL* c = static_cast<CURL*>(curl_);
    curl_easy_reset(c);
    Response resp;
    Transfer t{&resp, nullptr};
    curl_slist* hl = nullptr;
    if (!creds.empty()) hl = curl_slist_append(hl, ("Authorization: Basic " + base64_encode(creds)).c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    if (rc != CURLE_OK) return Error{"token " + realm + ": " + curl_easy_strerror(rc)};
    if (resp.status != 200)
        return Error{"token " + realm + ": HTTP " + std::to_string(resp.status) +
                     (creds.empty() ? "" : " (credentials rejected?)")};
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    std::string token;
    if (!j.is_discarded() && j.is_object()) {
        if (j.contains("token") && j["token"].is_string()) token = j["token"];
        else if (j.contains("access_token") && j["access_token"].is_string()) token = j["access_token"];
    }
    if (token.empty()) return Error{"token " + realm + ": no token in the answer"};
    std::lock_guard<std::mutex> lk(auth_->mu);
    auth_->bearer = token;
    return ok();
}

} // namespace skiff::image::http
