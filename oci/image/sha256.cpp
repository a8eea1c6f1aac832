// SHA-256 with a portable block function and one using the x86 SHA extensions (3-4x faster,
// which matters when hashing every layer on load and pull).
#include <cpuid.h>
#include <algorithm>
#include <cstring>
#include <utility>
#include <immintrin.h>

#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void blocks_portable(uint32_t* h, const uint8_t* p, size_t n) {
    for (; n > 0; --n, p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 |
                   uint32_t(p[4 * i + 2]) << 8 | uint32_t(p[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; ++i) {
            uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                          K[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
}

// The SHA-NI schedule: four rounds per sha256rnds2 pair, message words kept in four registers.
__attribute__((target("sha,sse4.1"))) void blocks_shani(uint32_t* h, const uint8_t* p, size_t n) {
    const __m128i shuf = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));      // DCBA
    __m128i st1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));  // HGFE
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                                      // CDAB
    st1 = _mm_shuffle_epi32(st1, 0x1B);                                      // EFGH
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);                              // ABEF
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);                                   // CDGH
    for (; n > 0; --n, p += 64) {
        __m128i a0 = st0, c0 = st1;
        __m128i m[4];
        for (int i = 0; i < 4; ++i)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)),
                                    shuf);
        for (int r = 0; r < 16; ++r) {
            __m128i& cur = m[r & 3];
            if (r >= 4) {
                // cur (= W[4r-16..]) becomes W[4r..4r+3] from the three previous groups.
                __m128i t = _mm_sha256msg1_epu32(cur, m[(r + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(m[(r + 3) & 3], m[(r + 2) & 3], 4));
                cur = _mm_sha256msg2_epu32(t, m[(r + 3) & 3]);
            }
            __m128i msg = _mm_add_epi32(
                cur, _mm_loadu_si128(reinterpret_cast<const __m128i*>(K + 4 * r)));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
        }
        st0 = _mm_add_epi32(st0, a0);
        st1 = _mm_add_epi32(st1, c0);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1B);                    // FEBA
    st1 = _mm_shuffle_epi32(st1, 0xB1);                    // DCHG
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);                 // DCBA
    st1 = _mm_alignr_epi8(st1, tmp, 8);                    // ABEF -> HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), st0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), st1);
}

using BlockFn = void (*)(uint32_t*, const uint8_t*, size_t);

BlockFn pick_blocks() {
    unsigned a, b, c, d;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) && __get_cpuid(1, &a, &b, &c, &d) &&
        (c & (1u << 19)))
        return blocks_shani;
    return blocks_portable;
}

const BlockFn blocks = pick_blocks();

} // namespace

namespace detail {
// For tests: this machine picks SHA-NI, so the portable path is checked through this.
std::string sha256_portable_hex(std::string_view data) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::string m(data);
    uint64_t bits = uint64_t(m.size()) * 8;
    m += char(0x80);
    while (m.size() % 64 != 56) m += char(0);
    for (int i = 7; i >= 0; --i) m += char(bits >> (8 * i));
    blocks_portable(h, reinterpret_cast<const uint8_t*>(m.data()), m.size() / 64);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (uint32_t w : h)
        for (int s = 28; s >= 0; s -= 4) out += hex[(w >> s) & 0xf];
    return out;
}
} // namespace detail

Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
         0x5be0cd19} {}

void Sha256::update(const void* data, size_t len) {
    auto p = static_cast<const uint8_t*>(data);
    total_ += len;
    if (buf_len_ > 0) {
        size_t take = std::min(len, 64 - buf_len_);
        std::memcpy(buf_.data() + buf_len_, p, take);
        buf_len_ += take;
        p += take;
        len -= take;
        if (buf_len_ < 64) return;
        blocks(h_.data(), buf_.data(), 1);
        buf_len_ = 0;
    }
    if (len >= 64) {
        blocks(h_.data(), p, len / 64);
        p += len / 64 * 64;
        len %= 64;
    }
    std::memcpy(buf_.data(), p, len);
    buf_len_ = len;
}

std::string Sha256::digest() {
    uint64_t bits = total_ * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (buf_len_ < 56 ? 56 : 120) - buf_len_;
    for (int i = 0; i < 8; ++i) pad[padlen + i] = uint8_t(bits >> (56 - 8 * i));
    update(pad, padlen + 8);
    static const char* hex = "0123456789abcdef";
    std::string out = "sha256:";
    for (uint32_t w : h_)
        for (int s = 28; s >= 0; s -= 4) out += hex[(w >> s) & 0xf];
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
