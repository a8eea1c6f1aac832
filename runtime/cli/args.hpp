// Flag parsing with runc's (urfave/cli) rules: "--name value", "--name=value", "-n value";
// boolean flags take no value ("--detach", "-d", "--detach=false"); flags stop at the first
// positional argument, so `exec ID ps -ef` leaves "-ef" to the command.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::cli {

struct Flag {
    const char* names; // "bundle,b": the first is the canonical name
    bool takes_value;
    const char* help;
};

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> values;
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

// argv[0] is the verb; parsing starts at argv[1].
Result<Args> parse_args(int argc, char** argv, const std::vector<Flag>& flags);
Result<int> parse_int(const std::string& flag, const std::string& text);

struct Verb;
// Prints "NAME/USAGE/OPTIONS" help for a verb.
void print_help(const Verb& verb);

struct Verb {
    const char* name;
    const char* usage;   // "[command options] <container-id>"
    const char* summary;
    std::vector<Flag> flags;
    int (*run)(const runtime::Context& ctx, const Args& args);
    int min_args = 1; // positional arguments required
    int max_args = 1; // -1: any
};

// Each verb file defines one of these.
extern const Verb kCreate, kStart, kRun, kState, kKill, kDelete, kExec, kList, kPs, kPause,
    kResume, kUpdate, kEvents, kSpec, kFeatures;

// Logs the error (runc's format and destinations) and returns exit code 1.
int fail(const Error& e);
int fail(const std::string& message);
// stdout helpers that check for write errors.
void out(const std::string& text);

} // namespace skiff::cli
