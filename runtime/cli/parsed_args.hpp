// What a command line parses into, for both CLIs (runc's rules in cli/args.cpp, docker's in
// skiff/args.cpp): positionals in order and flags by their long name.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace skiff::cli {

struct ParsedArgs {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> values; // every value given, in order
    std::map<std::string, bool> bools;

    bool has(const std::string& name) const { return values.count(name) || bools.count(name); }
    bool flag(const std::string& name) const {
        auto it = bools.find(name);
        return it != bools.end() && it->second;
    }
    std::string value(const std::string& name, const std::string& def = "") const {
        auto it = values.find(name);
        return it == values.end() || it->second.empty() ? def : it->second.back();
    }
    const std::vector<std::string>& all(const std::string& name) const {
        static const std::vector<std::string> none;
        auto it = values.find(name);
        return it == values.end() ? none : it->second;
    }
};

} // namespace skiff::cli
