// The grammar is distribution/reference's (what docker, podman and containerd accept).
#include "skiff/oci/image/reference.hpp"

#include <cctype>

#include "skiff/oci/image/digest.hpp"

namespace skiff::image {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_path_component(std::string_view s) {
    size_t i = 0, n = s.size();
    if (n == 0 || !is_lower_alnum(s[0])) return false;
    while (i < n) {
        while (i < n && is_lower_alnum(s[i])) ++i;
        if (i == n) return true;
        size_t sep = i;
        if (s[i] == '.') {
            ++i;
        } else if (s[i] == '_') {
            ++i;
            if (i < n && s[i] == '_') ++i;
        } else if (s[i] == '-') {
            while (i < n && s[i] == '-') ++i;
        } else {
            return false;
        }
        if (i == n || !is_lower_alnum(s[i]) || i == sep) return false;
    }
    return true;
}

// domain-component: [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?
bool valid_domain_component(std::string_view s) {
    if (s.empty() || !std::isalnum(uint8_t(s.front())) || !std::isalnum(uint8_t(s.back())))
        return false;
    for (char c : s)
        if (!std::isalnum(uint8_t(c)) && c != '-') return false;
    return true;
}

// host(:port)? where host is dotted domain components or a bracketed IPv6 literal.
bool valid_registry(std::string_view s) {
    std::string_view host = s, port;
    if (!s.empty() && s[0] == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        for (char c : s.substr(1, close - 1))
            if (!std::isxdigit(uint8_t(c)) && c != ':' && c != '.') return false;
        host = {};
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') return false;
            port = s.substr(close + 2);
            if (port.empty()) return false;
        }
    } else {
        auto colon = s.rfind(':');
        if (colon != std::string_view::npos) {
            host = s.substr(0, colon);
            port = s.substr(colon + 1);
            if (port.empty()) return false;
        }
        size_t start = 0;
        while (true) {
            auto dot = host.find('.', start);
            if (!valid_domain_component(host.substr(start, dot - start))) return false;
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }
    for (char c : port)
        if (!std::isdigit(uint8_t(c))) return false;
    return true;
}

Error bad(std::string_view text, const std::string& why) {
    return Error{"invalid reference \"" + std::string(text) + "\": " + why};
}

} // namespace

bool is_valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128) return false;
    auto word = [](char c) { return std::isalnum(uint8_t(c)) || c == '_'; };
    if (!word(tag[0])) return false;
    for (char c : tag)
        if (!word(c) && c != '.' && c != '-') return false;
    return true;
}

Result<Reference> parse_reference(std::string_view text) {
    if (text.empty()) return bad(text, "empty");
    for (char c : text)
        if (std::isspace(uint8_t(c)) || !std::isprint(uint8_t(c)))
            return bad(text, "contains whitespace or control characters");
    Reference ref;
    std::string_view rest = text;

    if (auto at = rest.find('@'); at != std::string_view::npos) {
        ref.digest = std::string(rest.substr(at + 1));
        if (auto d = validate_digest(ref.digest); !d) return bad(text, d.error().message);
        rest = rest.substr(0, at);
    }
    // A tag is after the last ':' that follows the last '/' (a ':' before it is a port).
    auto slash = rest.rfind('/');
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        ref.tag = std::string(rest.substr(colon + 1));
        if (!is_valid_tag(ref.tag))
            return bad(text, "invalid tag \"" + ref.tag +
                                 "\" (want [A-Za-z0-9_][A-Za-z0-9_.-], at most 128)");
        rest = rest.substr(0, colon);
    }
    if (rest.empty()) return bad(text, "missing repository name");

    // The first component is a registry when it looks like a host: it has a '.' or ':', is
    // "localhost", or has capitals (which a path component never has).
    auto first_slash = rest.find('/');
    if (first_slash != std::string_view::npos) {
        auto first = rest.substr(0, first_slash);
        bool has_upper = false;
        for (char c : first) has_upper |= std::isupper(uint8_t(c)) != 0;
        if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
            has_upper) {
            if (!valid_registry(first))
                return bad(text, "invalid registry host \"" + std::string(first) + "\"");
            ref.registry = std::string(first);
            rest = rest.substr(first_slash + 1);
        }
    }
    if (ref.registry.empty() || ref.registry == "index.docker.io" ||
        ref.registry == "registry-1.docker.io")
        ref.registry = kDefaultRegistry;

    if (rest.empty()) return bad(text, "missing repository name");
    size_t start = 0;
    while (true) {
        auto end = rest.find('/', start);
        auto comp = rest.substr(start, end - start);
        if (!valid_path_component(comp)) {
            for (char c : comp)
                if (std::isupper(uint8_t(c)))
                    return bad(text, "repository name must be lowercase");
            return bad(text, comp.empty() ? std::string("empty path component")
                                          : "invalid path component \"" + std::string(comp) +
                                                "\" (want [a-z0-9] separated by . _ __ -)");
        }
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    ref.path = std::string(rest);
    if (ref.registry == kDefaultRegistry && ref.path.find('/') == std::string::npos)
        ref.path = "library/" + ref.path;
    if (ref.registry.size() + 1 + ref.path.size() > 255)
        return bad(text, "repository name longer than 255 characters");
    if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
    return ref;
}

std::string Reference::str() const {
    std::string s = repository();
    if (!tag.empty()) s += ":" + tag;
    if (!digest.empty()) s += "@" + digest;
    return s;
}

std::string Reference::familiar() const {
    std::string s;
    if (registry == kDefaultRegistry)
        s = path.rfind("library/", 0) == 0 && path.find('/', 8) == std::string::npos
                ? path.substr(8)
                : path;
    else
        s = repository();
    if (!tag.empty()) s += ":" + tag;
    if (!digest.empty()) s += "@" + digest;
    return s;
}

std::string Reference::registry_host() const {
    return registry == kDefaultRegistry ? "registry-1.docker.io" : registry;
}

} // namespace skiff::image
