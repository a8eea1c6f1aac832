#include "helpers.hpp"

#include "../../../oci/image/http.hpp"

using namespace skiff::image;
using testutil::TempDir;

TEST_CASE("base64 round trips and matches the standard alphabet") {
    CHECK(http::base64_encode("") == "");
    CHECK(http::base64_encode("f") == "Zg==");
    CHECK(http::base64_encode("fo") == "Zm8=");
    CHECK(http::base64_encode("foo") == "Zm9v");
    CHECK(http::base64_encode("skiff:s3cret") == "c2tpZmY6czNjcmV0");
    std::string all;
    for (int i = 0; i < 256; ++i) all += char(i);
    CHECK(http::base64_decode(http::base64_encode(all)) == all);
}

TEST_CASE("credentials come from options, then the docker config file") {
    TempDir t;
    testutil::spit(t / "config.json",
                   "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + http::base64_encode("u:p") +
                       "\"},\"https://quay.io\":{\"auth\":\"" + http::base64_encode("q:r") + "\"}}}");
    RegistryOptions o;
    o.credentials_file = t / "config.json";
    CHECK(http::credentials_for("127.0.0.1:5000", o) == "u:p");
    CHECK(http::credentials_for("quay.io", o) == "q:r");
    CHECK(http::credentials_for("other.io", o) == "");
    o.username = "me";
    o.password = "pw";
    CHECK(http::credentials_for("127.0.0.1:5000", o) == "me:pw");
    RegistryOptions missing;
    missing.credentials_file = t / "nope.json";
    CHECK(http::credentials_for("127.0.0.1:5000", missing) == "");
    testutil::spit(t / "bad.json", "not json");
    missing.credentials_file = t / "bad.json";
    CHECK(http::credentials_for("127.0.0.1:5000", missing) == "");
}
