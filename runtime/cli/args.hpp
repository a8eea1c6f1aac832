// Flag parsing with runc's (urfave/cli) rules: "--name value", "--name=value", "-n value";
// boolean flags take no value ("--detach", "-d", "--detach=false"); flags stop at the first
// positional argument, so `exec ID ps -ef` leaves "-ef" to the command.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "parsed_args.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::cli {

struct Flag {
    const char* names; // "bundle,b": the first is the canonical name
    bool takes_value;
    const char* help;
};

using Args = ParsedArgs;

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
