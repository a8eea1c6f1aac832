// The skiff CLI's flag rules are docker's (pflag): these pin the cases users type every day.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "command.hpp"

using namespace skiff::skiffcli;

namespace {

const std::vector<Flag> kRunFlags = {
    {"detach,d", Flag::Bool, ""},   {"interactive,i", Flag::Bool, ""}, {"tty,t", Flag::Bool, ""},
    {"rm", Flag::Bool, ""},         {"env,e", Flag::List, ""},         {"name", Flag::Value, ""},
    {"volume,v", Flag::List, ""},   {"user,u", Flag::Value, ""},
};

skiff::Result<Args> parse(std::vector<std::string> words, bool interspersed = false) {
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    return parse_args(int(words.size()), argv.data(), kRunFlags, interspersed);
}

} // namespace

TEST_CASE("combined bool shorthands and values", "[args]") {
    auto a = parse({"run", "-dit", "--rm", "-e", "A=1", "-eB=2", "--env=C=3", "--name", "web", "busybox"});
    REQUIRE(a.ok());
    CHECK(a->flag("detach"));
    CHECK(a->flag("interactive"));
    CHECK(a->flag("tty"));
    CHECK(a->flag("rm"));
    CHECK(a->all("env") == std::vector<std::string>{"A=1", "B=2", "C=3"});
    CHECK(a->value("name") == "web");
    CHECK(a->positional == std::vector<std::string>{"busybox"});
}

TEST_CASE("flags stop at the image so the command keeps its own", "[args]") {
    auto a = parse({"run", "--rm", "busybox", "ls", "-la", "--rm"});
    REQUIRE(a.ok());
    CHECK(a->positional == std::vector<std::string>{"busybox", "ls", "-la", "--rm"});
}

TEST_CASE("interspersed commands take flags after positionals", "[args]") {
    auto a = parse({"rm", "c1", "-d", "c2"}, true);
    REQUIRE(a.ok());
    CHECK(a->flag("detach"));
    CHECK(a->positional == std::vector<std::string>{"c1", "c2"});
}

TEST_CASE("a shorthand value may follow in the next word or after =", "[args]") {
    auto a = parse({"run", "-itu", "1000:1000", "-v=/a:/b:ro", "img"});
    REQUIRE(a.ok());
    CHECK(a->value("user") == "1000:1000");
    CHECK(a->all("volume") == std::vector<std::string>{"/a:/b:ro"});
}

TEST_CASE("docker's words for bad flags", "[args]") {
    auto a = parse({"run", "--bogus", "img"});
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message == "unknown flag: --bogus");
    auto b = parse({"run", "-dx", "img"});
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().message == "unknown shorthand flag: 'x' in -dx");
    auto c = parse({"run", "--name"});
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "flag needs an argument: --name");
    auto d = parse({"run", "--rm=maybe", "img"});
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("invalid argument \"maybe\" for \"--rm\"") == 0);
}

TEST_CASE("a double dash ends the flags", "[args]") {
    auto a = parse({"run", "--", "-d"}, true);
    REQUIRE(a.ok());
    CHECK_FALSE(a->flag("detach"));
    CHECK(a->positional == std::vector<std::string>{"-d"});
}
