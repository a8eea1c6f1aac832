#include "args.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace skiff::cli {
namespace {

const Flag* find_flag(const std::vector<Flag>& flags, const std::string& name,
                      std::string* canonical) {
    for (const auto& f : flags) {
        std::string names = f.names;
        size_t start = 0;
        for (;;) {
            size_t end = names.find(',', start);
            std::string n = names.substr(start, end == std::string::npos ? end : end - start);
            if (n == name) {
                *canonical = names.substr(0, names.find(','));
                return &f;
            }
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return nullptr;
}

} // namespace

Result<Args> parse_args(int argc, char** argv, const std::vector<Flag>& flags) {
    Args a;
    int i = 1;
    for (; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "--") {
            ++i;
            break;
        }
        if (s.size() < 2 || s[0] != '-') break;
        std::string body = s.substr(s[1] == '-' ? 2 : 1);
        std::string inline_value;
        bool has_inline = false;
        if (auto eq = body.find('='); eq != std::string::npos) {
            inline_value = body.substr(eq + 1);
            body = body.substr(0, eq);
            has_inline = true;
        }
        std::string canonical;
        const Flag* f = find_flag(flags, body, &canonical);
        if (!f) return Error{"flag provided but not defined: -" + body};
        if (f->takes_value) {
            std::string v;
            if (has_inline) {
                v = inline_value;
            } else {
                if (i + 1 >= argc) return Error{"flag needs an argument: -" + body};
                v = argv[++i];
            }
            a.values[canonical].push_back(v);
        } else {
            bool v = true;
            if (has_inline) {
                if (inline_value == "true" || inline_value == "1") v = true;
                else if (inline_value == "false" || inline_value == "0") v = false;
                else return Error{"invalid boolean value \"" + inline_value + "\" for -" + body};
            }
            a.bools[canonical] = v;
        }
    }
    for (; i < argc; ++i) a.positional.emplace_back(argv[i]);
    return a;
}

Result<int> parse_int(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end || errno || v < INT32_MIN || v > INT32_MAX)
        return Error{"invalid value \"" + text + "\" for flag -" + flag};
    return int(v);
}

void print_help(const Verb& v) {
    std::string s = "NAME:\n   skiff-runtime " + std::string(v.name) + " - " + v.summary +
                    "\n\nUSAGE:\n   skiff-runtime " + v.name + " " + v.usage + "\n";
    if (!v.flags.empty()) {
        s += "\nOPTIONS:\n";
        for (const auto& f : v.flags) {
            std::string names;
            std::string all = f.names;
            size_t start = 0;
            for (;;) {
                size_t end = all.find(',', start);
                std::string n = all.substr(start, end == std::string::npos ? end : end - start);
                if (!names.empty()) names += ", ";
                names += (n.size() == 1 ? "-" : "--") + n + (f.takes_value ? " value" : "");
                if (end == std::string::npos) break;
                start = end + 1;
            }
            char line[512];
            std::snprintf(line, sizeof line, "   %-34s %s\n", names.c_str(), f.help);
            s += line;
        }
    }
    out(s);
}

int fail(const Error& e) { return fail(e.message); }

int fail(const std::string& message) {
    runtime::log_error(message);
    return 1;
}

void out(const std::string& text) {
    size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(1, text.data() + off, text.size() - off);
        if (n <= 0) return;
        off += size_t(n);
    }
}

} // namespace skiff::cli
