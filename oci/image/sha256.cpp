// Digests as strings, and their validation: the part of digest.hpp both Sha256 backends share
// (sha256_openssl.cpp in the image io plugin, sha256_client.cpp in `skiff`).
#include "sha256_backend.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {

std::string detail::sha256_string(const unsigned char* md) {
    static const char* hex = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned i = 0; i < 32; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

std::string sha256_digest(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.digest();
}

Result<void> validate_digest(std::string_view digest) {
    auto colon = digest.find(':');
    if (colon == std::string_view::npos)
        return Error{"digest \"" + std::string(digest) + "\": missing algorithm (want sha256:<hex>)"};
    if (digest.substr(0, colon) != "sha256")
        return Error{"digest \"" + std::string(digest) + "\": unsupported algorithm \"" +
                     std::string(digest.substr(0, colon)) + "\" (only sha256)"};
    auto hex = digest.substr(colon + 1);
    if (hex.size() != 64)
        return Error{"digest \"" + std::string(digest) + "\": want 64 hex digits, got " +
                     std::to_string(hex.size())};
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return Error{"digest \"" + std::string(digest) + "\": not lowercase hex"};
    return ok();
}

} // namespace skiff::image
