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
    if (!j || j->type != JNode::Object) return {reader, nullptr, w};
    return {reader, reader->doc.member(*j, key), w};
}

Val Val::at(size_t i) const {
    Where w{&where, Where::Index, {}, i};
    const JNode* e = j && j->type == JNode::Array ? reader->doc.first_child(*j) : nullptr;
    for (size_t k = 0; e && k < i; ++k) e = reader->doc.next_sibling(*e);
    return {reader, e, w};
}

std::string describe(const JNode& j) {
    switch (j.type) {
    case JNode::Int:
    case JNode::Uint:
    case JNode::Float: return std::string(j.text);
    default: return j.type_name();
    }
}

bool Val::expect_object() const {
    if (!*this) return false; // absent: nothing to read, not an error
    if (j->type == JNode::Object) return true;
    return fail("expected an object, got " + describe(*j));
}

bool Val::expect_array() const {
    if (!*this) return false;
    if (j->type == JNode::Array) return true;
    return fail("expected an array, got " + describe(*j));
}

bool read(const Val& v, std::string& out) {
    if (!v) return false;
    if (v.j->type != JNode::String) return v.fail("expected a string, got " + describe(*v.j));
    out = v.j->text;
    return true;
}

bool read(const Val& v, bool& out) {
    if (!v) return false;
    if (v.j->type != JNode::Bool) return v.fail("expected a boolean, got " + describe(*v.j));
    out = v.j->boolean;
    return true;
}

bool read_signed(const Val& v, int64_t& out, int64_t min, int64_t max) {
    if (!v) return false;
    if (v.j->type == JNode::Uint) {
        uint64_t u = v.j->uint_value;
        if (u > static_cast<uint64_t>(max))
            return v.fail(std::to_string(u) + " is out of range (at most " + std::to_string(max) +
                          ")");
        out = static_cast<int64_t>(u);
        return true;
    }
    if (v.j->type == JNode::Int) {
        int64_t s = v.j->int_value;
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
    if (v.j->type != JNode::Uint)
        return v.fail("expected an unsigned integer, got " + describe(*v.j));
    uint64_t u = v.j->uint_value;
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

} // namespace skiff::oci::detail
