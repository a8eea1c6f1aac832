// skiff: the docker-style command line. Global flags, then one command from the table the
// command files in verbs/ fill (one file per command, each registers itself).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command.hpp"

namespace {

using namespace skiff::skiffcli;

const std::vector<Flag> kGlobalFlags = {
    {"root", Flag::Value, "image store and container records", "/var/lib/skiff"},
    {"runroot", Flag::Value, "runtime state of running containers", "/run/skiff-cli"},
    {"debug,D", Flag::Bool, "enable debug output"},
    {"help,h", Flag::Bool, "print usage"},
    {"version,v", Flag::Bool, "print version information and quit"},
};

void print_usage() {
    std::string s = "\nUsage:  skiff [OPTIONS] COMMAND\n\n"
                    "Run OCI images as namespace containers or KVM unikernels\n\nCommands:\n";
    for (const Command* c : commands()) {
        char line[256];
        std::snprintf(line, sizeof line, "  %-10s %s\n", c->name, c->summary);
        s += line;
    }
    s += "\nGlobal Options:\n";
    for (const auto& f : kGlobalFlags) {
        std::string n = f.names;
        auto comma = n.find(',');
        n = comma == std::string::npos ? "    --" + n : "-" + n.substr(comma + 1) + ", --" + n.substr(0, comma);
        char line[256];
        std::snprintf(line, sizeof line, "  %-18s %s\n", n.c_str(), f.help);
        s += line;
    }
    s += "\nRun 'skiff COMMAND --help' for more information on a command.\n";
    out(s);
}

int dispatch(int argc, char** argv) {
    auto g = parse_args(argc, argv, kGlobalFlags, false);
    if (!g) return fail(g.error());
    Globals globals;
    globals.root = g->value("root", globals.root);
    globals.runroot = g->value("runroot", globals.runroot);
    globals.debug = g->flag("debug");
    if (g->flag("version")) {
        if (const Command* v = find_command("version")) {
            char name[] = "version";
            char* vargv[] = {name, nullptr};
            auto a = parse_args(1, vargv, v->flags, true);
            return a ? v->run(globals, *a) : fail(a.error());
        }
    }
    if (g->positional.empty() || g->flag("help")) {
        print_usage();
        return g->positional.empty() && !g->flag("help") ? 1 : 0;
    }
    const std::string& name = g->positional[0];
    const Command* cmd = find_command(name);
    if (!cmd) return fail("'" + name + "' is not a skiff command.\nSee 'skiff --help'", 1);

    std::vector<char*> vargv;
    for (const auto& s : g->positional) vargv.push_back(const_cast<char*>(s.c_str()));
    vargv.push_back(nullptr);
    std::vector<Flag> flags = cmd->flags;
    flags.push_back({"help", Flag::Bool, "print usage"});
    auto args = parse_args(int(g->positional.size()), vargv.data(), flags, cmd->interspersed);
    if (!args) return fail(args.error().message + "\nSee 'skiff " + name + " --help'.");
    if (args->flag("help")) {
        print_help(*cmd);
        return 0;
    }
    int n = int(args->positional.size());
    if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args)) {
        if (cmd->max_args == 0)
            return fail("\"skiff " + name + "\" accepts no arguments.\nSee 'skiff " + name + " --help'.");
        std::string want = cmd->min_args == cmd->max_args ? "exactly " + std::to_string(cmd->min_args)
                           : n < cmd->min_args             ? "at least " + std::to_string(cmd->min_args)
                                                           : "at most " + std::to_string(cmd->max_args);
        return fail("\"skiff " + name + "\" requires " + want + " argument" +
                    (want.back() == '1' ? "" : "s") + ".\nSee 'skiff " + name + " --help'.\n\nUsage:  skiff " +
                    name + " " + cmd->usage);
    }
    return cmd->run(globals, *args);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return dispatch(argc, argv);
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what());
    }
}
