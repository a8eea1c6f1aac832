// Content digests ("sha256:<64 hex>") and a streaming SHA-256, the identity of every blob and
// layer in the image store.
#pragma once

#include <memory>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/oci/result.hpp"

namespace skiff::image {

// Streaming SHA-256 (FIPS 180-4). Two backends, chosen at link time: OpenSSL's libcrypto
// (SHA-NI / AVX2 code) in the image io plugin, where whole layers are hashed, and plain C++ in
// `skiff`, which hashes only manifests and configs and so need not load libcrypto.
class Sha256 {
public:
    Sha256();
    Sha256(Sha256&&) noexcept = default;
    Sha256& operator=(Sha256&&) noexcept = default;
    ~Sha256();
    void update(const void* data, size_t len);
    // "sha256:<hex>"; the object must not be updated afterwards.
    std::string digest();
    uint64_t bytes() const { return total_; }

private:
    struct State; // the backend's
    struct Free {
        void operator()(State* s) const;
    };
    std::unique_ptr<State, Free> ctx_;
    uint64_t total_ = 0;
};

std::string sha256_digest(std::string_view data);

// Checks "sha256:<64 lowercase hex>" (the only algorithm the store keeps); the error names the
// string and what is wrong with it.
Result<void> validate_digest(std::string_view digest);

// The hex part of a valid digest.
inline std::string digest_hex(std::string_view digest) {
    return std::string(digest.substr(digest.find(':') + 1));
}

} // namespace skiff::image
