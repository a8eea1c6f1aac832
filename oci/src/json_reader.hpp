// Typed reading of a parsed JSON document into the OCI structs, with errors that name the JSON
// path of the offending value ("process.user.uid: expected an unsigned integer, got string").
// The path is kept as a chain of stack frames and only turned into text when an error occurs,
// so a successful parse builds no strings besides the values themselves.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/oci/result.hpp"

namespace skiff::oci::detail {

using json = nlohmann::json;

// One step of a JSON path: a member name, an array index, or a key of a free-form map.
struct Where {
    enum Kind : uint8_t { Root, Member, Index, MapKey };
    const Where* parent = nullptr;
    Kind kind = Root;
    std::string_view name;
    size_t index = 0;

    std::string str() const;
};

// Holds the first error of a parse; once one is recorded every later read is a no-op.
class Reader {
public:
    explicit Reader(std::string_view source) : source_(source) {}
    bool failed() const { return error_.has_value(); }
    bool fail(const Where& where, const std::string& message);
    Error take_error() { return std::move(*error_); }

private:
    std::string_view source_;
    std::optional<Error> error_;
};

// A value in the document with its path. Absent members and JSON null are "empty": reading
// them leaves the target untouched, as Go's encoding/json (and so runc) does.
struct Val {
    Reader* reader;
    const json* j;
    Where where;

    explicit operator bool() const { return j && !j->is_null() && !reader->failed(); }
    // The member `key` of this object (empty if absent or if this is not an object).
    Val operator[](std::string_view key) const;
    bool fail(const std::string& message) const { return reader->fail(where, message); }
    // False, recording an error, if the value is not of that type; false too if it is empty.
    bool expect_object() const;
    bool expect_array() const;
};

// Describes what a value is, for "expected X, got Y" messages.
std::string describe(const json& j);

bool read(const Val& v, std::string& out);
bool read(const Val& v, bool& out);
bool read_signed(const Val& v, int64_t& out, int64_t min, int64_t max);
bool read_unsigned(const Val& v, uint64_t& out, uint64_t max);

template <std::signed_integral T>
bool read(const Val& v, T& out) {
    int64_t x = 0;
    if (!read_signed(v, x, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()))
        return false;
    out = static_cast<T>(x);
    return true;
}

template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
bool read(const Val& v, T& out) {
    uint64_t x = 0;
    if (!read_unsigned(v, x, std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(x);
    return true;
}

template <class T>
bool read(const Val& v, std::optional<T>& out) {
    if (!v) return false;
    T value{};
    if (!read(v, value)) return false;
    out = std::move(value);
    return true;
}

template <class T>
bool read(const Val& v, std::vector<T>& out) {
    if (!v || !v.expect_array()) return false;
    out.clear();
    out.resize(v.j->size());
    for (size_t i = 0; i < out.size(); ++i) {
        Val item{v.reader, &(*v.j)[i], {&v.where, Where::Index, {}, i}};
        if (item.j->is_null()) continue; // Go leaves a null element at its zero value
        if (!read(item, out[i])) return false;
    }
    return true;
}

template <class T>
bool read(const Val& v, std::map<std::string, T>& out) {
    if (!v || !v.expect_object()) return false;
    out.clear();
    for (auto it = v.j->begin(); it != v.j->end(); ++it) {
        Val item{v.reader, &it.value(), {&v.where, Where::MapKey, it.key(), 0}};
        T value{};
        if (!item.j->is_null() && !read(item, value)) return false;
        out.emplace_hint(out.end(), it.key(), std::move(value));
    }
    return true;
}

// Reads a required member: absent or null is "required".
template <class T>
bool read_required(const Val& obj, std::string_view key, T& out) {
    Val v = obj[key];
    if (obj.reader->failed()) return false;
    if (!v) return v.fail("required");
    return read(v, out);
}

// Checks that a string read from `v` is one of `allowed`; `what` names the kind of value.
bool check_one_of(const Val& v, const std::string& s, std::span<const std::string_view> allowed,
                  std::string_view what);
inline bool check_one_of(const Val& v, const std::string& s,
                         std::initializer_list<std::string_view> allowed, std::string_view what) {
    return check_one_of(v, s, std::span<const std::string_view>(allowed.begin(), allowed.size()),
                        what);
}

// Parses text into a document; a syntax error becomes "<source>: <what was wrong>".
Result<json> parse_document(const std::string& text, std::string_view source);

} // namespace skiff::oci::detail
