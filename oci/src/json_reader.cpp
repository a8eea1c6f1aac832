#include "json_reader.hpp"

namespace skiff::oci::detail {

std::string Where::str() const {
    std::vector<const Where*> chain;
    for (const Where* w = this; w && w->kind != Root; w = w->parent) chain.push_back(w);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const Where& w = **it;
        switch (w.kind) {
        case Member:
            if (!out.empty()) out += '.';
            out += w.name;
            break;
        case Index:
            out += '[' + std::to_string(w.index) + ']';
            break;
        case MapKey:
            out += "[\"";
            out += w.name;
            out += "\"]";
            break;
        case Root:
            break;
        }
    }
    return out;
}

bool Reader::fail(const Where& where, const std::string& message) {
    if (error_) return false;
    std::string path = where.str();
    std::string text(source_);
    if (!path.empty()) text += ": " + path;
    error_ = Error{text + ": " + message};
    return false;
}

Val Val::operator[](std::string_view key) const {
    Where w{&where, Where::Member, key, 0};
    if (!j || !j->is_object()) return {reader, nullptr, w};
    auto it = j->find(key);
    return {reader, it == j->end() ? nullptr : &*it, w};
}

std::string describe(const json& j) {
    switch (j.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return j.dump();
    default:
        return j.type_name();
    }
}

bool Val::expect_object() const {
    if (!*this) return false; // absent: nothing to read, not an error
    if (j->is_object()) return true;
    return fail("expected an object, got " + describe(*j));
}

bool Val::expect_array() const {
    if (!*this) return false;
    if (j->is_array()) return true;
    return fail("expected an array, got " + describe(*j));
}

bool read(const Val& v, std::string& out) {
    if (!v) return false;
    if (!v.j->is_string()) return v.fail("expected a string, got " + describe(*v.j));
    out = v.j->get_ref<const std::string&>();
    return true;
}

bool read(const Val& v, bool& out) {
    if (!v) return false;
    if (!v.j->is_boolean()) return v.fail("expected a boolean, got " + describe(*v.j));
    out = v.j->get<bool>();
    return true;
}

bool read_signed(const Val& v, int64_t& out, int64_t min, int64_t max) {
    if (!v) return false;
    if (v.j->is_number_unsigned()) {
        uint64_t u = v.j->get<uint64_t>();
        if (u > static_cast<uint64_t>(max))
            return v.fail(std::to_string(u) + " is out of range (at most " + std::to_string(max) +
                          ")");
        out = static_cast<int64_t>(u);
        return true;
    }
    if (v.j->is_number_integer()) {
        int64_t s = v.j->get<int64_t>();
        if (s < min)
            return v.fail(std::to_string(s) + " is out of range (at least " + std::to_string(min) +
                          ")");
        out = s;
        return true;
    }
    return v.fail("expected an integer, got " + describe(*v.j));
}

bool read_unsigned(const Val& v, uint64_t& out, uint64_t max) {
    if (!v) return false;
    if (!v.j->is_number_unsigned())
        return v.fail("expected an unsigned integer, got " + describe(*v.j));
    uint64_t u = v.j->get<uint64_t>();
    if (u > max)
        return v.fail(std::to_string(u) + " is out of range (at most " + std::to_string(max) + ")");
    out = u;
    return true;
}

bool check_one_of(const Val& v, const std::string& s, std::span<const std::string_view> allowed,
                  std::string_view what) {
    for (auto a : allowed)
        if (s == a) return true;
    return v.fail("unknown " + std::string(what) + " \"" + s + "\"");
}

Result<json> parse_document(const std::string& text, std::string_view source) {
    // nlohmann reports syntax errors only by exception; it stays inside this function.
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix: users need the position.
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        return Error{std::string(source) + ": invalid JSON: " + what};
    }
}

} // namespace skiff::oci::detail
