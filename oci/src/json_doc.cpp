// A strict RFC 8259 parser into JDoc's flat node array.
#include "json_doc.hpp"

#include <charconv>
#include <cstring>

namespace skiff::oci::detail {

const char* JNode::type_name() const {
    switch (type) {
    case Null: return "null";
    case Bool: return "boolean";
    case Int:
    case Uint:
    case Float: return "number";
    case String: return "string";
    case Array: return "array";
    case Object: return "object";
    }
    return "?";
}

const JNode* JDoc::member(const JNode& obj, std::string_view key) const {
    const JNode* found = nullptr;
    for (uint32_t i = obj.first; i; i = nodes_[i].next)
        if (nodes_[i].key == key) found = &nodes_[i];
    return found;
}

class JParser {
public:
    JParser(char* begin, char* end, std::vector<JNode>& nodes)
        : begin_(begin), p_(begin), end_(end), nodes_(nodes) {}

    // Parses the whole text as one value into node 0.
    bool document() {
        nodes_.emplace_back();
        skip_space();
        if (!value(0)) return false;
        skip_space();
        if (p_ != end_) return fail("unexpected text after the document");
        return true;
    }

    std::string error_text() const {
        size_t line = 1, col = 1;
        for (const char* c = begin_; c < err_at_; ++c) {
            if (*c == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) +
               ": " + err_;
    }

private:
    static constexpr int kMaxDepth = 512; // deeper than any config; bounds the recursion

    char* begin_;
    char* p_;
    char* end_;
    std::vector<JNode>& nodes_;
    const char* err_at_ = nullptr;
    std::string err_;
    int depth_ = 0;

    bool fail(const char* what) {
        if (err_at_) return false;
        err_at_ = p_;
        err_ = what;
        return false;
    }

    void skip_space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool literal(const char* word, size_t n) {
        if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
            return fail("invalid literal");
        p_ += n;
        return true;
    }

    bool value(uint32_t idx) {
        if (p_ == end_) return fail("unexpected end of input");
        switch (*p_) {
        case '{': return object(idx);
        case '[': return array(idx);
        case '"': {
            std::string_view s;
            if (!string(s)) return false;
            nodes_[idx].type = JNode::String;
            nodes_[idx].text = s;
            return true;
        }
        case 't':
            nodes_[idx].type = JNode::Bool;
            nodes_[idx].boolean = true;
            return literal("true", 4);
        case 'f':
            nodes_[idx].type = JNode::Bool;
            return literal("false", 5);
        case 'n': return literal("null", 4);
        default: return number(idx);
        }
    }

    // Appends a child node to `parent`, after `prev` (0 = first child); returns its index.
    uint32_t add_child(uint32_t parent, uint32_t prev) {
        uint32_t idx = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back();
        if (prev) nodes_[prev].next = idx;
        else nodes_[parent].first = idx;
        ++nodes_[parent].count;
        return idx;
    }

    bool object(uint32_t idx) {
        if (++depth_ > kMaxDepth) return fail("nested too deeply");
        nodes_[idx].type = JNode::Object;
        ++p_; // {
        skip_space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            --depth_;
            return true;
        }
        uint32_t prev = 0;
        for (;;) {
            if (p_ == end_ || *p_ != '"') return fail("expected a member name");
            std::string_view key;
            if (!string(key)) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return fail("expected ':'");
            ++p_;
            skip_space();
            uint32_t child = add_child(idx, prev);
            nodes_[child].key = key;
            if (!value(child)) return false;
            prev = child;
            skip_space();
            if (p_ < end_ && *p_ == ',') {
                ++p_;
                skip_space();
                continue;
            }
            if (p_ < end_ && *p_ == '}') {
                ++p_;
                --depth_;
                return true;
            }
            return fail("expected ',' or '}'");
        }
    }

    bool array(uint32_t idx) {
        if (++depth_ > kMaxDepth) return fail("nested too deeply");
        nodes_[idx].type = JNode::Array;
        ++p_; // [
        skip_space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            --depth_;
            return true;
        }
        uint32_t prev = 0;
        for (;;) {
            uint32_t child = add_child(idx, prev);
            if (!value(child)) return false;
            prev = child;
            skip_space();
            if (p_ < end_ && *p_ == ',') {
                ++p_;
                skip_space();
                continue;
            }
            if (p_ < end_ && *p_ == ']') {
                ++p_;
                --depth_;
                return true;
            }
            return fail("expected ',' or ']'");
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(uint32_t& out) {
        if (end_ - p_ < 4) return fail("truncated \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex(p_[i]);
            if (h < 0) return fail("invalid \\u escape");
            out = out << 4 | static_cast<uint32_t>(h);
        }
        p_ += 4;
        return true;
    }

    static char* put_utf8(char* w, uint32_t cp) {
        if (cp < 0x80) {
            *w++ = static_cast<char>(cp);
        } else if (cp < 0x800) {
            *w++ = static_cast<char>(0xC0 | cp >> 6);
            *w++ = static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *w++ = static_cast<char>(0xE0 | cp >> 12);
            *w++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            *w++ = static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            *w++ = static_cast<char>(0xF0 | cp >> 18);
            *w++ = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
            *w++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            *w++ = static_cast<char>(0x80 | (cp & 0x3F));
        }
        return w;
    }

    // Reads a string at p_ (on its opening quote), unescaping in place: the decoded form is never
    // longer than the escaped one, so it is written over the text it came from.
    bool string(std::string_view& out) {
        ++p_; // "
        char* start = p_;
        // Fast path: most strings have no escapes.
        while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
            ++p_;
        char* w = p_;
        while (p_ < end_ && *p_ != '"') {
            unsigned char c = static_cast<unsigned char>(*p_);
            if (c < 0x20) return fail("control character in string");
            if (c != '\\') {
                *w++ = *p_++;
                continue;
            }
            if (++p_ == end_) break;
            char e = *p_++;
            switch (e) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '/': *w++ = '/'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'n': *w++ = '\n'; break;
            case 'r': *w++ = '\r'; break;
            case 't': *w++ = '\t'; break;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo = 0;
                    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                        return fail("unpaired surrogate in \\u escape");
                    p_ += 2;
                    if (!hex4(lo)) return false;
                    if (lo < 0xDC00 || lo > 0xDFFF) return fail("unpaired surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail("unpaired surrogate in \\u escape");
                }
                w = put_utf8(w, cp);
                break;
            }
            default:
                p_ -= 2; // point at the backslash
                return fail("invalid escape in string");
            }
        }
        if (p_ == end_) return fail("unterminated string");
        out = std::string_view(start, static_cast<size_t>(w - start));
        ++p_; // "
        return true;
    }

    bool number(uint32_t idx) {
        char* start = p_;
        bool negative = false, integral = true;
        if (*p_ == '-') {
            negative = true;
            ++p_;
        }
        if (p_ == end_ || *p_ < '0' || *p_ > '9') {
            p_ = start;
            return fail("unexpected character");
        }
        if (*p_ == '0') {
            ++p_;
            if (p_ < end_ && *p_ >= '0' && *p_ <= '9') return fail("leading zero in number");
        } else {
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        }
        if (p_ < end_ && *p_ == '.') {
            integral = false;
            ++p_;
            if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("expected a digit");
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integral = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("expected a digit");
            while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        }
        JNode& n = nodes_[idx];
        n.text = std::string_view(start, static_cast<size_t>(p_ - start));
        if (integral) {
            if (negative) {
                auto r = std::from_chars(start, p_, n.int_value);
                if (r.ec == std::errc()) {
                    n.type = n.int_value < 0 ? JNode::Int : JNode::Uint; // "-0" is 0
                    return true;
                }
            } else {
                auto r = std::from_chars(start, p_, n.uint_value);
                if (r.ec == std::errc()) {
                    n.type = JNode::Uint;
                    return true;
                }
            }
        }
        // Fractions, exponents and integers too large for 64 bits.
        n.type = JNode::Float;
        auto r = std::from_chars(start, p_, n.float_value);
        if (r.ec == std::errc::result_out_of_range) n.float_value = negative ? -1e308 : 1e308;
        return true;
    }
};

Result<JDoc> JDoc::parse(const std::string& text, std::string_view source) {
    JDoc doc;
    doc.buf_ = std::make_unique_for_overwrite<char[]>(text.size() + 1);
    std::memcpy(doc.buf_.get(), text.data(), text.size());
    // A config.json's node count is about a tenth of its bytes; one reservation avoids regrowth.
    doc.nodes_.reserve(text.size() / 8 + 16);
    JParser parser(doc.buf_.get(), doc.buf_.get() + text.size(), doc.nodes_);
    if (!parser.document()) return Error{std::string(source) + ": " + parser.error_text()};
    return doc;
}

} // namespace skiff::oci::detail
