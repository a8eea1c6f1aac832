// A read-only JSON document built for one pass of typed reading. config.json is parsed on every
// create and exec, so this keeps the cost near the cost of reading the bytes: one copy of the
// text (strings are unescaped in place and referenced, not copied), one flat node array, and
// no exceptions. Writing JSON stays with nlohmann (spec_dump.cpp, state.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/result.hpp"

namespace skiff::oci::detail {

struct JNode {
    enum Type : uint8_t { Null, Bool, Int, Uint, Float, String, Array, Object };
    Type type = Null;
    bool boolean = false;
    uint32_t count = 0; // members or elements
    uint32_t first = 0; // index of the first child; 0 = none (node 0 is the root, never a child)
    uint32_t next = 0;  // index of the next sibling; 0 = last
    std::string_view key;  // member name, when the parent is an object
    std::string_view text; // unescaped string value, or the number as written
    union {
        int64_t int_value;   // Int: negative integers
        uint64_t uint_value; // Uint: non-negative integers
        double float_value;  // Float: fractions, exponents, and integers beyond 64 bits
    };
    JNode() : uint_value(0) {}

    bool is_null() const { return type == Null; }
    const char* type_name() const;
};

class JDoc {
public:
    // Errors read "<source>: invalid JSON at line L, column C: <what>".
    static Result<JDoc> parse(const std::string& text, std::string_view source);

    const JNode& root() const { return nodes_[0]; }
    const JNode* first_child(const JNode& n) const { return n.first ? &nodes_[n.first] : nullptr; }
    const JNode* next_sibling(const JNode& n) const { return n.next ? &nodes_[n.next] : nullptr; }
    // The member named `key` of an object; the last one if the key repeats (as Go decodes).
    const JNode* member(const JNode& obj, std::string_view key) const;

private:
    std::unique_ptr<char[]> buf_; // the text, with strings unescaped in place
    std::vector<JNode> nodes_;
    friend class JParser;
};

} // namespace skiff::oci::detail
