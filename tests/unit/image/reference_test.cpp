#include <catch2/catch.hpp>

#include "skiff/oci/image/reference.hpp"

using skiff::image::parse_reference;

namespace {
std::string canon(const char* s) {
    auto r = parse_reference(s);
    REQUIRE(r.ok());
    return r->str();
}
std::string error_of(const char* s) {
    auto r = parse_reference(s);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}
} // namespace

TEST_CASE("references normalize like docker") {
    CHECK(canon("busybox") == "docker.io/library/busybox:latest");
    CHECK(canon("busybox:1.36") == "docker.io/library/busybox:1.36");
    CHECK(canon("me/app") == "docker.io/me/app:latest");
    CHECK(canon("docker.io/busybox") == "docker.io/library/busybox:latest");
    CHECK(canon("index.docker.io/library/busybox:x") == "docker.io/library/busybox:x");
    CHECK(canon("localhost/app") == "localhost/app:latest");
    CHECK(canon("localhost:5000/a/b/c:v1.0-rc_2") == "localhost:5000/a/b/c:v1.0-rc_2");
    CHECK(canon("127.0.0.1:5000/busybox") == "127.0.0.1:5000/busybox:latest");
    CHECK(canon("[::1]:5000/busybox:t") == "[::1]:5000/busybox:t");
    CHECK(canon("quay.io/a__b/c-d.e--f:tag") == "quay.io/a__b/c-d.e--f:tag");
    std::string d = "sha256:" + std::string(64, 'a');
    CHECK(canon(("busybox@" + d).c_str()) == "docker.io/library/busybox@" + d);
    CHECK(canon(("busybox:1@" + d).c_str()) == "docker.io/library/busybox:1@" + d);
}

TEST_CASE("reference parts and familiar form") {
    auto r = parse_reference("127.0.0.1:5000/team/app:2").value();
    CHECK(r.registry == "127.0.0.1:5000");
    CHECK(r.path == "team/app");
    CHECK(r.tag == "2");
    CHECK(r.familiar() == "127.0.0.1:5000/team/app:2");
    CHECK(parse_reference("busybox").value().familiar() == "busybox:latest");
    CHECK(parse_reference("me/app:1").value().familiar() == "me/app:1");
    CHECK(parse_reference("busybox").value().registry_host() == "registry-1.docker.io");
}

TEST_CASE("bad references name the reference and the problem") {
    CHECK(error_of("Busybox") == "invalid reference \"Busybox\": repository name must be lowercase");
    CHECK(error_of("") == "invalid reference \"\": empty");
    CHECK(error_of("busybox:") .find("invalid tag \"\"") != std::string::npos);
    CHECK(error_of("busybox:-x").find("invalid tag") != std::string::npos);
    CHECK(error_of("busybox@sha256:abc").find("want 64 hex digits") != std::string::npos);
    CHECK(error_of("busybox@md5:abc").find("unsupported algorithm") != std::string::npos);
    CHECK(error_of("a//b").find("empty path component") != std::string::npos);
    CHECK(error_of("a/b_-c").find("invalid path component \"b_-c\"") != std::string::npos);
    CHECK(error_of("bad host!/x").find("whitespace") != std::string::npos);
    CHECK(error_of("-host.io/x").find("invalid registry host") != std::string::npos);
    CHECK(error_of("host.io:port/x").find("invalid registry host") != std::string::npos);
    CHECK(error_of(":tag").find("missing repository name") != std::string::npos);
    CHECK(error_of(("a/" + std::string(260, 'b')).c_str()).find("longer than 255") !=
          std::string::npos);
}
