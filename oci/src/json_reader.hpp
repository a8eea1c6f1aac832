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

#include "json_doc.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::oci::detail {

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
    Reader(std::string_view source, const JDoc& doc) : doc(doc), source_(source) {}
    const JDoc& doc;
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
    const JNode* node;
    Where where;

    explicit operator bool() const { return node && !node->is_null() && !reader->failed(); }
    // The member `key` of this object (empty if absent or if this is not an object).
    Val operator[](std::string_view key) const;
    bool fail(const std::string& message) const { return reader->fail(where, message); }
    // False, recording an error, if the value is not of that type; false too if it is empty.
    bool expect_object() const;
    bool expect_array() const;

    // Element i of an array, found by walking it: for error paths and short arrays.
    Val at(size_t i) const;

    // Calls f(element Val, index) for each element of an array (call after expect_array()).
    template <class F>
    void each(F&& f) const {
        size_t i = 0;
        for (const JNode* e = reader->doc.first_child(*node); e; e = reader->doc.next_sibling(*e), ++i)
            f(Val{reader, e, {&where, Where::Index, {}, i}}, i);
    }
};

// Describes what a value is, for "expected X, got Y" messages.
std::string describe(const JNode& n);

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
    out.resize(v.node->count);
    v.each([&](const Val& item, size_t i) {
        if (!item.node->is_null()) read(item, out[i]); // Go leaves a null element at its zero value
    });
    return !v.reader->failed();
}

template <class T>
bool read(const Val& v, std::map<std::string, T>& out) {
    if (!v || !v.expect_object()) return false;
    out.clear();
    const JDoc& doc = v.reader->doc;
    for (const JNode* m = doc.first_child(*v.node); m; m = doc.next_sibling(*m)) {
        Val item{v.reader, m, {&v.where, Where::MapKey, m->key, 0}};
        T value{};
        if (!item.node->is_null() && !read(item, value)) return false;
        out.insert_or_assign(std::string(m->key), std::move(value)); // a repeated key: last wins
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


} // namespace skiff::oci::detail
