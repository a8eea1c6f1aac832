// Flag parsing with pflag's rules (see command.hpp) and the command table.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "command.hpp"

namespace skiff::skiffcli {
namespace {

std::string long_name(const Flag& f) {
    std::string n = f.names;
    return n.substr(0, n.find(','));
}

char short_name(const Flag& f) {
    std::string n = f.names;
    auto c = n.find(',');
    return c == std::string::npos || c + 2 != n.size() ? '\0' : n[c + 1];
}

const Flag* by_long(const std::vector<Flag>& flags, const std::string& name) {
    for (const auto& f : flags)
        if (long_name(f) == name) return &f;
    return nullptr;
}

const Flag* by_short(const std::vector<Flag>& flags, char c) {
    for (const auto& f : flags)
        if (short_name(f) == c) return &f;
    return nullptr;
}

Result<bool> parse_bool(const std::string& flag, const std::string& v) {
    if (v == "true" || v == "1" || v == "t" || v == "TRUE" || v == "True") return true;
    if (v == "false" || v == "0" || v == "f" || v == "FALSE" || v == "False") return false;
    return Error{"invalid argument \"" + v + "\" for \"" + flag + "\" flag: strconv.ParseBool: parsing \"" +
                 v + "\": invalid syntax"};
}

void store(Args& a, const Flag& f, const std::string& v) {
    auto& slot = a.values[long_name(f)];
    if (f.kind == Flag::Value) slot.clear(); // the last one given wins
    slot.push_back(v);
}

std::vector<const Command*>& table() {
    static std::vector<const Command*> t;
    return t;
}

} // namespace

Result<Args> parse_args(int argc, char** argv, const std::vector<Flag>& flags, bool interspersed) {
    Args a;
    int i = 1;
    for (; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "--") {
            for (++i; i < argc; ++i) a.positional.emplace_back(argv[i]);
            break;
        }
        if (s.size() < 2 || s[0] != '-') {
            a.positional.push_back(s);
            if (!interspersed) {
                for (++i; i < argc; ++i) a.positional.emplace_back(argv[i]);
                break;
            }
            continue;
        }
        if (s[1] == '-') { // --name, --name=value, --name value
            std::string body = s.substr(2), inline_value;
            bool has_inline = false;
            if (auto eq = body.find('='); eq != std::string::npos) {
                inline_value = body.substr(eq + 1);
                body = body.substr(0, eq);
                has_inline = true;
            }
            const Flag* f = by_long(flags, body);
            if (!f) return Error{"unknown flag: --" + body};
            if (f->kind == Flag::Bool) {
                a.bools[long_name(*f)] = has_inline ? SKIFF_TRY(parse_bool("--" + body, inline_value)) : true;
            } else if (has_inline) {
                store(a, *f, inline_value);
            } else {
                if (i + 1 >= argc) return Error{"flag needs an argument: --" + body};
                store(a, *f, argv[++i]);
            }
            continue;
        }
        // -abc: bool shorthands; the first that takes a value eats the rest or the next arg.
        for (size_t k = 1; k < s.size(); ++k) {
            const Flag* f = by_short(flags, s[k]);
            if (!f) return Error{std::string("unknown shorthand flag: '") + s[k] + "' in " + s};
            if (f->kind == Flag::Bool) {
                if (k + 1 < s.size() && s[k + 1] == '=') {
                    a.bools[long_name(*f)] = SKIFF_TRY(parse_bool(std::string("-") + s[k], s.substr(k + 2)));
                    break;
                }
                a.bools[long_name(*f)] = true;
                continue;
            }
            std::string rest = s.substr(k + 1);
            if (!rest.empty() && rest[0] == '=') rest = rest.substr(1);
            if (!rest.empty()) {
                store(a, *f, rest);
            } else {
                if (i + 1 >= argc)
                    return Error{std::string("flag needs an argument: '") + s[k] + "' in -" + s[k]};
                store(a, *f, argv[++i]);
            }
            break;
        }
    }
    return a;
}

void register_command(const Command& cmd) {
    auto& t = table();
    t.push_back(&cmd);
    std::sort(t.begin(), t.end(),
              [](const Command* x, const Command* y) { return std::strcmp(x->name, y->name) < 0; });
}

const std::vector<const Command*>& commands() { return table(); }

const Command* find_command(const std::string& name) {
    for (const Command* c : table()) {
        if (name == c->name) return c;
        std::string al = c->aliases;
        size_t start = 0;
        while (!al.empty() && start <= al.size()) {
            size_t end = al.find(',', start);
            if (al.substr(start, end == std::string::npos ? std::string::npos : end - start) == name) return c;
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return nullptr;
}

int fail(const Error& e, int code) { return fail(e.message, code); }

int fail(const std::string& message, int code) {
    std::string line = "skiff: " + message + "\n";
    (void)!::write(2, line.data(), line.size());
    return code;
}

void out(const std::string& text) {
    size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(1, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += size_t(n);
    }
}

void print_help(const Command& cmd) {
    std::string s = std::string("\nUsage:  skiff ") + cmd.name + " " + cmd.usage + "\n\n" + cmd.summary + "\n";
    if (*cmd.aliases) s += std::string("\nAliases:\n  ") + cmd.name + ", " + cmd.aliases + "\n";
    if (!cmd.flags.empty()) s += "\nOptions:\n";
    for (const auto& f : cmd.flags) {
        char sh = short_name(f);
        std::string n = sh ? std::string("-") + sh + ", --" + long_name(f) : "    --" + long_name(f);
        if (f.kind != Flag::Bool) n += f.kind == Flag::List ? " list" : " string";
        char line[512];
        std::snprintf(line, sizeof line, "  %-26s %s%s%s\n", n.c_str(), f.help,
                      *f.default_text ? " (default " : "", *f.default_text ? f.default_text : "");
        s += line;
        if (*f.default_text) s.insert(s.size() - 1, ")");
    }
    out(s);
}

} // namespace skiff::skiffcli
