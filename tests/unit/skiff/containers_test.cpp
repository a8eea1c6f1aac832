// The pure parts of the CLI's containers: docker's size syntax, names and ids, the record's
// round trip, the log format.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "containers/log_file.hpp"
#include "containers/options.hpp"
#include "containers/record.hpp"
#include "containers/store.hpp"
#include "table.hpp"

using namespace skiff::skiffcli;

TEST_CASE("memory sizes in docker's syntax", "[size]") {
    CHECK(*parse_size("64m") == 64LL << 20);
    CHECK(*parse_size("64M") == 64LL << 20);
    CHECK(*parse_size("64mb") == 64LL << 20);
    CHECK(*parse_size("1g") == 1LL << 30);
    CHECK(*parse_size("2GiB") == 2LL << 30);
    CHECK(*parse_size("1.5g") == (3LL << 30) / 2);
    CHECK(*parse_size("512k") == 512LL << 10);
    CHECK(*parse_size("100") == 100);
    CHECK(*parse_size("100b") == 100);
    for (const char* bad : {"", "m", "64x", "-1m", "1.2.3g", "64 mm", "g64"}) {
        auto r = parse_size(bad);
        CHECK_FALSE(r.ok());
        if (!r) CHECK(r.error().message == std::string("invalid size: '") + bad + "'");
    }
}

TEST_CASE("container names follow docker's rule", "[names]") {
    CHECK(*check_name("web") == "web");
    CHECK(*check_name("/web") == "web");
    CHECK(*check_name("a.b-c_d9") == "a.b-c_d9");
    for (const char* bad : {"", "a", "-web", "_web", "we b", "web/x", "wéb"}) {
        auto r = check_name(bad);
        CHECK_FALSE(r.ok());
    }
    CHECK(check_name("-x").error().message ==
          "Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
}

TEST_CASE("generated names and ids", "[names]") {
    std::set<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        std::string id = new_id();
        REQUIRE(id.size() == 64);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(id.find_first_of("abcdef") != std::string::npos);
        ids.insert(id);
        std::string n = generate_name();
        CHECK(check_name(n).ok());
        CHECK(n.find('_') != std::string::npos);
    }
    CHECK(ids.size() == 200);
    std::set<std::string> names;
    for (int i = 0; i < 100; ++i) names.insert(generate_name());
    CHECK(names.size() > 50); // 48 x 46 combinations
}

TEST_CASE("a record survives its JSON round trip", "[record]") {
    Record r;
    r.id = new_id();
    r.name = "web";
    r.created = rfc3339_now();
    r.image = "busybox";
    r.image_id = "sha256:abc";
    r.args = {"sh", "-c", "echo \"hi\"\n"};
    r.entrypoint = {};
    r.cmd = {"sh", "-c", "echo \"hi\"\n"};
    r.env = {"PATH=/bin", "A=b=c"};
    r.user = "1000:1000";
    r.working_dir = "/tmp";
    r.hostname = "box";
    r.tty = true;
    r.open_stdin = true;
    r.isolation = "vm";
    r.network = "host";
    r.memory = 64LL << 20;
    r.nano_cpus = 1500000000;
    r.pids_limit = 50;
    r.read_only = true;
    r.auto_remove = true;
    r.binds = {"/a:/b:ro"};
    r.stop_signal = "SIGQUIT";
    r.state = State::Exited;
    r.pid = 0;
    r.exit_code = 137;
    r.error = "x";
    r.started_at = rfc3339_now();
    r.finished_at = rfc3339_now();
    auto back = parse_record(dump_record(r), "container.json");
    REQUIRE(back.ok());
    CHECK(dump_record(*back) == dump_record(r));
    CHECK(back->state == State::Exited);
    CHECK(back->args == r.args);
    CHECK(back->memory == r.memory);
}

TEST_CASE("a damaged record is an error naming the file", "[record]") {
    CHECK(parse_record("{", "x/container.json").error().message == "x/container.json: not a JSON object");
    CHECK_FALSE(parse_record("{\"Id\":\"short\"}", "f").ok());
    std::string bad_state = "{\"Id\":\"" + std::string(64, 'a') + "\",\"State\":\"flying\"}";
    CHECK(parse_record(bad_state, "f").error().message == "f: State: unknown state \"flying\"");
    std::string bad_type = "{\"Id\":\"" + std::string(64, 'a') + "\",\"Pid\":\"x\"}";
    CHECK_FALSE(parse_record(bad_type, "f").ok());
}

TEST_CASE("timestamps", "[record]") {
    std::string now = rfc3339_now();
    CHECK(now.size() == 30);
    CHECK(now.back() == 'Z');
    CHECK(parse_rfc3339("1970-01-01T00:01:40.5Z") == 100);
    CHECK(parse_rfc3339(kZeroTime) == 0);
    CHECK(parse_rfc3339("garbage") == 0);
}

TEST_CASE("log entries: lines, pieces, streams", "[logs]") {
    std::string log = format_log_entries(Stream::Stdout, "one\ntw", "T1") +
                      format_log_entries(Stream::Stdout, "o\n", "T2") +
                      format_log_entries(Stream::Stderr, "err\n\n", "T3");
    CHECK(log == "T1 stdout F one\nT1 stdout P tw\nT2 stdout F o\nT3 stderr F err\nT3 stderr F \n");
    std::string rest;
    auto e = parse_log_entries(log + "T4 stdout F unfinish", &rest);
    REQUIRE(e.size() == 5);
    CHECK(rest == "T4 stdout F unfinish");
    CHECK(e[1].text == "tw");
    CHECK_FALSE(e[1].ends_line);
    CHECK(e[3].stream == Stream::Stderr);
    CHECK(e[4].text.empty());
    CHECK(tail_start(e, 1) == 4);
    CHECK(tail_start(e, 2) == 3);
    CHECK(tail_start(e, 3) == 1); // "tw" + "o" is one line
    CHECK(tail_start(e, 10) == 0);
    CHECK(tail_start(e, 0) == 5);
}
