// The docker-style `skiff` command line: global flags, then one command from a table that each
// command file fills by registering itself (SKIFF_COMMAND). Flags follow docker's (spf13/pflag)
// rules: "--name value", "--name=value", "-n value", "-nvalue", bool shorthands combine ("-dit"),
// and for commands that run something (`run IMAGE CMD...`, `exec ID CMD...`) flags stop at the
// first positional argument so the container's own flags stay its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "../cli/parsed_args.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::skiffcli {

// docker's exit codes for failures of the CLI itself (the container's own code otherwise).
inline constexpr int kExitError = 125;      // skiff failed (bad flag, no image, create failed)
inline constexpr int kExitCannotRun = 126;  // the command cannot be invoked
inline constexpr int kExitNotFound = 127;   // the command was not found

struct Flag {
    const char* names; // "detach,d": long name first, then the one-letter shorthand if any
    enum Kind { Bool, Value, List } kind; // List: may repeat (-e A=1 -e B=2)
    const char* help;
    const char* default_text = ""; // shown in help only
};

using Args = cli::ParsedArgs;

// argv[0] is the command name; parsing starts at argv[1]. With interspersed=false flags end at
// the first positional argument. Errors in docker's words: "unknown flag: --x",
// "unknown shorthand flag: 'x' in -x", "flag needs an argument: --name".
Result<Args> parse_args(int argc, char** argv, const std::vector<Flag>& flags, bool interspersed);

// What every command gets from the global flags.
struct Globals {
    std::string root = "/var/lib/skiff";   // --root: image store and container records
    std::string runroot = "/run/skiff-cli"; // --runroot: skiff_runtime state of skiff's containers
    bool debug = false;                     // --debug / -D
};

struct Command {
    const char* name;
    const char* usage;   // "[OPTIONS] IMAGE [COMMAND] [ARG...]"
    const char* summary; // one line, docker's wording where docker has the command
    std::vector<Flag> flags;
    int (*run)(const Globals& g, const Args& args); // returns the exit code
    int min_args = 0;
    int max_args = -1;         // -1: any
    bool interspersed = true;  // false: flags stop at the first positional (run, create, exec)
    const char* aliases = "";  // "rm,remove": other names the command answers to
};

void register_command(const Command& cmd);
const std::vector<const Command*>& commands(); // sorted by name
const Command* find_command(const std::string& name);

struct Registrar {
    explicit Registrar(const Command& cmd) { register_command(cmd); }
};
// In a command file:  const Command kPs{...};  SKIFF_COMMAND(kPs);
#define SKIFF_COMMAND(cmd) static const ::skiff::skiffcli::Registrar cmd##_registrar{cmd}

// Prints "skiff: <message>" on stderr and returns code (default kExitError).
int fail(const Error& e, int code = kExitError);
int fail(const std::string& message, int code = kExitError);
// Writes to stdout, checking for errors (a closed pipe is not a crash).
void out(const std::string& text);
void print_help(const Command& cmd);

} // namespace skiff::skiffcli
