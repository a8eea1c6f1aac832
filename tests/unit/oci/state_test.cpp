#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "skiff/oci/state.hpp"

using namespace skiff::oci;
using nlohmann::json;

TEST_CASE("status names round-trip and unknown ones are refused") {
    for (Status s : {Status::Creating, Status::Created, Status::Running, Status::Paused,
                     Status::Stopped}) {
        auto back = parse_status(to_string(s));
        REQUIRE(back.ok());
        CHECK(*back == s);
    }
    CHECK(std::string(to_string(Status::Running)) == "running");
    auto bad = parse_status("dead");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "unknown status \"dead\"");
}

TEST_CASE("state JSON has the OCI fields and omits pid 0") {
    State s;
    s.id = "web";
    s.status = Status::Running;
    s.pid = 4242;
    s.bundle = "/srv/bundles/web";
    s.annotations = {{"run.skiff.isolation", "vm"}};
    auto j = json::parse(dump_state(s));
    CHECK(j == json::parse(R"({"ociVersion": "1.2.0", "id": "web", "status": "running",
                               "pid": 4242, "bundle": "/srv/bundles/web",
                               "annotations": {"run.skiff.isolation": "vm"}})"));
    auto back = parse_state(dump_state(s));
    REQUIRE(back.ok());
    CHECK(back->id == "web");
    CHECK(back->status == Status::Running);
    CHECK(back->pid == 4242);
    CHECK(back->bundle == "/srv/bundles/web");
    CHECK(back->annotations == s.annotations);

    s.status = Status::Stopped;
    s.pid = 0;
    s.annotations.clear();
    j = json::parse(dump_state(s, 2));
    CHECK_FALSE(j.contains("pid"));
    CHECK_FALSE(j.contains("annotations"));
    back = parse_state(j.dump());
    REQUIRE(back.ok());
    CHECK(back->pid == 0);
    CHECK(back->status == Status::Stopped);
}

TEST_CASE("parse_state reads runc's state output and names bad fields") {
    auto r = parse_state(R"({"ociVersion":"1.0.2-dev","id":"c1","pid":77,"status":"created",
        "bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z","owner":""})");
    REQUIRE(r.ok());
    CHECK(r->oci_version == "1.0.2-dev");
    CHECK(r->status == Status::Created);
    auto bad = parse_state(R"({"ociVersion":"1","id":"c1","status":"dead","bundle":"/b"})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "state.json: status: unknown status \"dead\"");
    bad = parse_state(R"({"ociVersion":"1","status":"created","bundle":"/b"})", "/run/skiff/x/state.json");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "/run/skiff/x/state.json: id: required");
    bad = parse_state(R"({"ociVersion":"1","id":"a","status":"created","bundle":"/b","pid":"1"})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "state.json: pid: expected an integer, got string");
}

TEST_CASE("container ids follow runc's rules and errors name the id") {
    for (const char* good : {"abc-1.2_x", "a", "A+b", "0123456789abcdef", "..."})
        CHECK(validate_container_id(good).ok());
    CHECK(validate_container_id(std::string(255, 'a')).ok());

    auto err = [](const std::string& id) {
        auto r = validate_container_id(id);
        REQUIRE_FALSE(r.ok());
        return r.error().message;
    };
    CHECK(err("a/b") == "invalid container id \"a/b\": only letters, digits and _ + - . are allowed");
    CHECK(err("..") == "invalid container id \"..\": must not be \".\" or \"..\"");
    CHECK(err(".") == "invalid container id \".\": must not be \".\" or \"..\"");
    CHECK(err("") == "invalid container id \"\": must not be empty");
    CHECK(err("a b") == "invalid container id \"a b\": only letters, digits and _ + - . are allowed");
    CHECK(err("a,b").find("\"a,b\"") != std::string::npos);
    CHECK(err(std::string("a\0b", 3)).find("only letters") != std::string::npos);
    CHECK(err(std::string(1025, 'a')) ==
          "invalid container id \"" + std::string(32, 'a') + "...\": 1025 bytes, at most 255 allowed");
    CHECK(err(std::string(256, 'a')).find("256 bytes") != std::string::npos);
}
