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
    if (!node || node->type != JNode::Object) return {reader, nullptr, w};
    return {reader, reader->doc.member(*node, key), w};
}

Val Val::at(size_t i) const {
    Where w{&where, Where::Index, {}, i};
    const JNode* e = node && node->type == JNode::Array ? reader->doc.first_child(*node) : nullptr;
    for (size_t k = 0; e && k < i; ++k) e = reader->doc.next_sibling(*e);
    return {reader, e, w};
}

std::string describe(const JNode& n) {
    switch (n.type) {
    case JNode::Int:
    case JNode::Uint:
    case JNode::Float: return std::string(n.text);
    default: return n.type_name();
    }
}

bool Val::expect_object() const {
    if (!*this) return false; // absent: nothing to read, not an error
    if (node->type == JNode::Object) return true;
    return fail("expected an object, got " + describe(*node));
}

bool Val::expect_array() const {
    if (!*this) return false;
    if (node->type == JNode::Array) return true;
    return fail("expected an array, got " + describe(*node));
}

bool read(const Val& v, std::string& out) {
    if (!v) return false;
    if (v.node->type != JNode::String) return v.fail("expected a string, got " + describe(*v.node));
    out = v.node->text;
    return true;
}

bool read(const Val& v, bool& out) {
    if (!v) return false;
    if (v.node->type != JNode::Bool) return v.fail("expected a boolean, got " + describe(*v.node));
    out = v.node->boolean;
    return true;
}

bool read_signed(const Val& v, int64_t& out, int64_t min, int64_t max) {
    if (!v) return false;
    if (v.node->type == JNode::Uint) {
        uint64_t u = v.node->uint_value;
        if (u > static_cast<uint64_t>(max))
            return v.fail(std::to_string(u) + " is out of range (at most " + std::to_string(max) +
                          ")");
        out = static_cast<int64_t>(u);
        return true;
    }
    if (v.node->type == JNode::Int) {
        int64_t s = v.node->int_value;
        if (s < min)
            return v.fail(std::to_string(s) + " is out of range (at least " + std::to_string(min) +
                          ")");
        out = s;
        return true;
    }
    return v.fail("expected an integer, got " + describe(*v.node));
}

bool read_unsigned(const Val& v, uint64_t& out, uint64_t max) {
    if (!v) return false;
    if (v.node->type != JNode::Uint)
        return v.fail("expected an unsigned integer, got " + describe(*v.node));
    uint64_t u = v.node->uint_value;
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
