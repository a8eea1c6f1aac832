// Sha256 in `skiff` itself: plain C++ (sha256_portable.cpp). The binary hashes only what it
// reads back from the store to run an image, its manifest and config (a few KB, tens of
// microseconds), so it does not map libcrypto, which costs every command about 1.3 ms of
// dynamic loading here. Whole layers are hashed in the image io plugin, with libcrypto.
#include "sha256_backend.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {

struct Sha256::State : detail::PortableSha256 {};

void Sha256::Free::operator()(State* s) const { delete s; }

Sha256::Sha256() : ctx_(new State) {}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t len) {
    total_ += len;
    ctx_->update(data, len);
}

std::string Sha256::digest() {
    unsigned char md[32];
    ctx_->finish(md);
    return detail::sha256_string(md);
}

} // namespace skiff::image
