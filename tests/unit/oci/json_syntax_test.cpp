// The JSON reader under parse_spec: strict syntax, escapes, numbers, positions in errors.
#include <catch2/catch.hpp>

#include "skiff/oci/state.hpp"

using namespace skiff::oci;

namespace {

// parse_state is the smallest public entry to the JSON reader.
std::string id_of(const std::string& id_json) {
    auto r = parse_state(R"({"ociVersion":"1","status":"created","bundle":"/b","id":)" + id_json +
                         "}");
    if (!r.ok()) return "error: " + r.error().message;
    return r->id;
}

std::string syntax_error(const std::string& text) {
    auto r = parse_state(text, "s.json");
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

} // namespace

TEST_CASE("string escapes are decoded") {
    CHECK(id_of(R"("plain")") == "plain");
    CHECK(id_of(R"("a\"b\\c\/d")") == "a\"b\\c/d");
    CHECK(id_of(R"("\b\f\n\r\t")") == "\b\f\n\r\t");
    CHECK(id_of(R"("\u0041\u00e9\u20ac")") == "A\xC3\xA9\xE2\x82\xAC");
    CHECK(id_of(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80"); // surrogate pair
    CHECK(id_of("\"caf\xC3\xA9\"") == "caf\xC3\xA9");         // raw UTF-8 kept
    CHECK(id_of(R"("")") == "");
}

TEST_CASE("bad strings are syntax errors with a position") {
    CHECK(id_of(R"("\x")") ==
          "error: state.json: invalid JSON at line 1, column 58: invalid escape in string");
    CHECK(id_of(R"("\ud83d")").find("unpaired surrogate") != std::string::npos);
    CHECK(id_of(R"("\ude00")").find("unpaired surrogate") != std::string::npos);
    CHECK(id_of(R"("\u12G4")").find("invalid \\u escape") != std::string::npos);
    CHECK(id_of("\"a\nb\"").find("control character in string") != std::string::npos);
    CHECK(id_of("\"open").find("unterminated string") != std::string::npos);
}

TEST_CASE("numbers follow JSON's grammar and keep their type") {
    auto pid_of = [](const std::string& n) {
        auto r = parse_state(R"({"ociVersion":"1","id":"a","status":"running","bundle":"/b","pid":)" +
                             n + "}");
        return r.ok() ? std::to_string(r->pid) : r.error().message;
    };
    CHECK(pid_of("0") == "0");
    CHECK(pid_of("-0") == "0");
    CHECK(pid_of("2147483647") == "2147483647");
    CHECK(pid_of("2147483648") == "state.json: pid: 2147483648 is out of range (at most 2147483647)");
    CHECK(pid_of("-5") == "state.json: pid: must not be negative, got -5");
    CHECK(pid_of("1.0") == "state.json: pid: expected an integer, got 1.0");
    CHECK(pid_of("1e3") == "state.json: pid: expected an integer, got 1e3");
    CHECK(pid_of("99999999999999999999") ==
          "state.json: pid: expected an integer, got 99999999999999999999");
    CHECK(pid_of("01").find("leading zero in number") != std::string::npos);
    CHECK(pid_of("1.").find("expected a digit") != std::string::npos);
    CHECK(pid_of("-").find("unexpected character") != std::string::npos);
    CHECK(pid_of("+1").find("unexpected character") != std::string::npos);
}

TEST_CASE("document structure errors name line and column") {
    CHECK(syntax_error("") == "s.json: invalid JSON at line 1, column 1: unexpected end of input");
    CHECK(syntax_error("{} {}") ==
          "s.json: invalid JSON at line 1, column 4: unexpected text after the document");
    CHECK(syntax_error("{\"a\" 1}") == "s.json: invalid JSON at line 1, column 6: expected ':'");
    CHECK(syntax_error("[1, 2") == "s.json: invalid JSON at line 1, column 6: expected ',' or ']'");
    CHECK(syntax_error("{\"a\": tru}") == "s.json: invalid JSON at line 1, column 7: invalid literal");
    CHECK(syntax_error("{\"a\": [1,]}") ==
          "s.json: invalid JSON at line 1, column 10: unexpected character");
    CHECK(syntax_error(std::string(600, '[') + std::string(600, ']')).find("nested too deeply") !=
          std::string::npos);
    CHECK(syntax_error("null") == "s.json: expected an object, got null");
}

TEST_CASE("a repeated member takes its last value, as Go decodes it") {
    auto r = parse_state(R"({"ociVersion":"1","id":"first","status":"created","bundle":"/b",
                             "id":"second"})");
    REQUIRE(r.ok());
    CHECK(r->id == "second");
}
