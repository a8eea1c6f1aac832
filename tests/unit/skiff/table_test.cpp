#include <catch2/catch.hpp>

#include "table.hpp"

using namespace skiff::skiffcli;

TEST_CASE("docker-style columns", "[table]") {
    CHECK(format_table({"CONTAINER ID", "IMAGE", "NAMES"}, {{"0123456789ab", "busybox", "web"}, {"ff", "x", ""}}) ==
          "CONTAINER ID   IMAGE     NAMES\n"
          "0123456789ab   busybox   web\n"
          "ff             x\n");
}

TEST_CASE("docker's human durations and sizes", "[table]") {
    CHECK(human_duration(0) == "Less than a second");
    CHECK(human_duration(1) == "1 second");
    CHECK(human_duration(45) == "45 seconds");
    CHECK(human_duration(61) == "About a minute");
    CHECK(human_duration(180) == "3 minutes");
    CHECK(human_duration(3700) == "About an hour");
    CHECK(human_duration(5 * 3600) == "5 hours");
    CHECK(human_duration(3 * 86400) == "3 days");
    CHECK(human_size(0) == "0B");
    CHECK(human_size(999) == "999B");
    CHECK(human_size(1500) == "1.5kB");
    CHECK(human_size(4260000) == "4.26MB");
}
