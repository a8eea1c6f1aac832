#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>

#include "lifecycle/hooks.hpp"
#include "lifecycle/state_store.hpp"

using namespace skiff;
using namespace skiff::runtime;

namespace {
oci::Hook sh(const std::string& script, std::optional<int> timeout = std::nullopt) {
    return oci::Hook{"/bin/sh", {"sh", "-c", script}, {"HOOKVAR=set"}, timeout};
}
} // namespace

TEST_CASE("a hook reads the state on stdin and sees only its own env") {
    char tmpl[] = "/tmp/skiff-unit-hook.XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    std::string out = std::string(tmpl) + "/out";
    auto r = run_hooks({sh("cat > " + out + "; echo \"$HOOKVAR:$HOME\" >> " + out)}, "prestart",
                       R"({"id":"x"})");
    REQUIRE(r.ok());
    auto text = read_file(out);
    REQUIRE(text.ok());
    CHECK(*text == "{\"id\":\"x\"}set:\n");
    ::unlink(out.c_str());
    ::rmdir(tmpl);
}

TEST_CASE("a failing hook fails with its number, path, status and output") {
    auto r = run_hooks({sh("true"), sh("echo oops >&2; exit 3")}, "createRuntime", "{}");
    REQUIRE_FALSE(r.ok());
    const std::string& m = r.error().message;
    CHECK(m.find("createRuntime hook #1 (/bin/sh)") != std::string::npos);
    CHECK(m.find("exit status 3") != std::string::npos);
    CHECK(m.find("stderr: oops") != std::string::npos);
}

TEST_CASE("a hook past its timeout is killed and fails") {
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_hooks({sh("sleep 5", 1)}, "prestart", "{}");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - t0)
                  .count();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("hook ran past specified timeout of 1.0s") != std::string::npos);
    CHECK(ms < 4500); // well before the hook's 5 s sleep ends, with room for a loaded host
}

TEST_CASE("a hook that does not exist or is relative fails") {
    auto r = run_hooks({oci::Hook{"/nonexistent/hook", {}, {}, {}}}, "poststop", "{}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/nonexistent/hook") != std::string::npos);
    auto rel = run_hooks({oci::Hook{"bin/true", {}, {}, {}}}, "poststop", "{}");
    REQUIRE_FALSE(rel.ok());
    CHECK(rel.error().message.find("not absolute") != std::string::npos);
}
