// What the two Sha256 backends (digest.hpp) share: the digest string, and the plain C++
// compression, which `skiff` uses and the unit tests check against libcrypto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace skiff::image::detail {

// "sha256:" + 64 lowercase hex digits of the 32 bytes at md.
std::string sha256_string(const unsigned char* md);

// FIPS 180-4 SHA-256 without CPU extensions: about 200 MB/s here, enough for the few KB of
// a manifest or config.
class PortableSha256 {
public:
    void update(const void* data, size_t len);
    // The 32-byte digest; update() must not be called afterwards.
    void finish(unsigned char out[32]);

private:
    uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

} // namespace skiff::image::detail
