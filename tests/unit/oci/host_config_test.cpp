// skiff's host config file: the default isolation mode and the vm_fallback opt-in.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "skiff/oci/isolation.hpp"

using namespace skiff::oci;

namespace {

struct EnvConfig {
    std::string path;
    explicit EnvConfig(const std::string& text, bool write = true) {
        char tmpl[] = "/tmp/skiff-host-config-XXXXXX";
        int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = tmpl;
        if (write) std::ofstream(path) << text;
        else ::unlink(path.c_str());
        ::setenv(kHostConfigEnv, path.c_str(), 1);
    }
    ~EnvConfig() {
        ::unsetenv(kHostConfigEnv);
        ::unlink(path.c_str());
    }
};

} // namespace

TEST_CASE("host config: isolation and vm_fallback are read, other members ignored") {
    auto c = parse_host_config(R"({"isolation": "vm", "vm_fallback": true, "storage": "/x"})", "f.json");
    REQUIRE(c.ok());
    CHECK(c->isolation == Isolation::Vm);
    CHECK(c->vm_fallback);
    auto d = parse_host_config("{}", "f.json");
    REQUIRE(d.ok());
    CHECK(d->isolation == Isolation::Container);
    CHECK_FALSE(d->vm_fallback);
    auto e = parse_host_config(R"({"isolation": "container"})", "f.json");
    REQUIRE(e.ok());
    CHECK(e->isolation == Isolation::Container);
}

TEST_CASE("host config: an unknown isolation value names the file and the key") {
    auto c = parse_host_config(R"({"isolation": "kata"})", "/etc/skiff/config.json");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "/etc/skiff/config.json: isolation: unknown isolation mode \"kata\" "
                               "(expected container or vm)");
}

TEST_CASE("host config: wrong types and malformed JSON are one-line errors naming the file") {
    auto t = parse_host_config(R"({"vm_fallback": "yes"})", "c.json");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message == "c.json: vm_fallback: expected a boolean, got string");
    auto i = parse_host_config(R"({"isolation": 1})", "c.json");
    REQUIRE_FALSE(i.ok());
    CHECK(i.error().message.rfind("c.json: isolation: expected a string", 0) == 0);
    auto m = parse_host_config("{\"isolation\": \"vm\",\n", "c.json");
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message.rfind("c.json: invalid JSON at line 2", 0) == 0);
    CHECK(m.error().message.find('\n') == std::string::npos);
    auto a = parse_host_config("[]", "c.json");
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.rfind("c.json: expected an object", 0) == 0);
}

TEST_CASE("host config: SKIFF_CONFIG names the file; an absent file is the defaults") {
    {
        EnvConfig env(R"({"isolation": "vm"})");
        CHECK(host_config_path() == env.path);
        auto c = load_host_config();
        REQUIRE(c.ok());
        CHECK(c->isolation == Isolation::Vm);
    }
    {
        EnvConfig env("", false);
        auto c = load_host_config();
        REQUIRE(c.ok());
        CHECK(c->isolation == Isolation::Container);
    }
    {
        EnvConfig env("not json");
        auto c = load_host_config();
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().message.rfind(env.path + ": invalid JSON", 0) == 0);
    }
    ::unsetenv(kHostConfigEnv);
    CHECK(host_config_path() == "/etc/skiff/config.json");
}
