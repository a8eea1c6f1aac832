#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "../../../oci/image/sha256_backend.hpp"
#include "skiff/oci/image/digest.hpp"

using namespace skiff::image;

TEST_CASE("sha256 known answers") {
    CHECK(sha256_digest("") ==
          "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_digest("abc") ==
          "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256 streaming agrees with one-shot at every split, across block boundaries") {
    std::string data;
    for (int i = 0; i < 5000; ++i) data += char(i * 7 + (i >> 3));
    for (size_t len : {0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 1000, 5000}) {
        std::string part = data.substr(0, len);
        std::string whole = sha256_digest(part);
        Sha256 h;
        for (size_t i = 0; i < len; i += 13) h.update(part.data() + i, std::min<size_t>(13, len - i));
        CHECK(h.digest() == whole);
    }
    // One million 'a': the FIPS long-message vector.
    Sha256 h;
    std::string a(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(a.data(), a.size());
    CHECK(h.digest() == "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("digest validation") {
    CHECK(validate_digest("sha256:" + std::string(64, '0')).ok());
    CHECK_FALSE(validate_digest("sha256:" + std::string(64, 'A')).ok());
    CHECK_FALSE(validate_digest("sha256:" + std::string(63, '0')).ok());
    CHECK_FALSE(validate_digest(std::string(64, '0')).ok());
    CHECK(validate_digest("sha512:00").error().message.find("unsupported algorithm") !=
          std::string::npos);
}

// `skiff` hashes manifests and configs with the plain C++ backend (sha256_client.cpp); these
// tests link libcrypto's, so the two are compared here.
TEST_CASE("sha256: the plain C++ backend agrees with libcrypto at every length and split") {
    std::string data;
    for (int i = 0; i < 70000; ++i) data += char(i * 131 + (i >> 5));
    auto portable = [](std::string_view d, size_t step) {
        skiff::image::detail::PortableSha256 h;
        for (size_t i = 0; i < d.size(); i += step) h.update(d.data() + i, std::min(step, d.size() - i));
        unsigned char md[32];
        h.finish(md);
        return skiff::image::detail::sha256_string(md);
    };
    for (size_t len = 0; len <= 300; ++len) {
        auto part = std::string_view(data).substr(0, len);
        CHECK(portable(part, 1000) == sha256_digest(part));
        CHECK(portable(part, 7) == sha256_digest(part));
    }
    CHECK(portable(data, 4096) == sha256_digest(data));
    CHECK(portable("abc", 1) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
