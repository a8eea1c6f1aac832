#include <signal.h>

#include <catch2/catch.hpp>

#include "skiff/runtime/runtime.hpp"

using skiff::runtime::parse_signal;

TEST_CASE("kill accepts runc's signal spellings") {
    CHECK(*parse_signal("KILL") == SIGKILL);
    CHECK(*parse_signal("SIGKILL") == SIGKILL);
    CHECK(*parse_signal("sigterm") == SIGTERM);
    CHECK(*parse_signal("hup") == SIGHUP);
    CHECK(*parse_signal("9") == 9);
    CHECK(*parse_signal("RTMIN") == SIGRTMIN);
    CHECK(*parse_signal("RTMIN+2") == SIGRTMIN + 2);
    CHECK(*parse_signal("SIGRTMAX-1") == SIGRTMAX - 1);
}

TEST_CASE("unknown signals are an error quoting the input") {
    for (const char* bad : {"FOO", "", "0", "999", "-9", "RTMIN+99", "SIG"}) {
        auto r = parse_signal(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == std::string("unknown signal \"") + bad + "\"");
    }
}
