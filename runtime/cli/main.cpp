// skiff-runtime: the runc-compatible OCI runtime command line. Global flags, then one verb from
// the table below; each verb lives in its own file and is a thin layer over skiff_runtime.
#include <unistd.h>

#include <cstring>
#include <exception>
#include <string>

#include "args.hpp"

namespace {

using namespace skiff;
using cli::Verb;

const Verb* const kVerbs[] = {
    &cli::kCreate, &cli::kDelete, &cli::kEvents, &cli::kExec,  &cli::kKill,
    &cli::kList,   &cli::kPause,  &cli::kPs,     &cli::kResume, &cli::kRun,
    &cli::kSpec,   &cli::kStart,  &cli::kState,  &cli::kUpdate, &cli::kFeatures,
};

const std::vector<cli::Flag> kGlobalFlags = {
    {"debug", false, "enable debug logging"},
    {"log", true, "set the log file to write skiff-runtime logs to (default is '/dev/stderr')"},
    {"log-format", true, "set the log format ('text' (default), or 'json')"},
    {"root", true, "root directory for storage of container state (default: \"/run/skiff\")"},
    {"criu", true, "accepted for runc compatibility; checkpoint/restore is not supported"},
    {"systemd-cgroup", false, "cgroupsPath is \"slice:prefix:name\"; mapped onto cgroupfs when "
                              "systemd is not running"},
    {"rootless", true, "ignore cgroup permission errors ('true', 'false', or 'auto')"},
    {"help,h", false, "show help"},
    {"version,v", false, "print the version"},
};

constexpr const char* kVersion = "skiff-runtime version 0.1.0\nspec: 1.2.0\n";

void print_usage() {
    std::string s =
        "NAME:\n   skiff-runtime - Open Container Initiative runtime (container and vm isolation)\n\n"
        "USAGE:\n   skiff-runtime [global options] command [command options] [arguments...]\n\n"
        "COMMANDS:\n";
    for (const Verb* v : kVerbs) {
        char line[256];
        std::snprintf(line, sizeof line, "   %-10s  %s\n", v->name, v->summary);
        s += line;
    }
    s += "\nGLOBAL OPTIONS:\n";
    for (const auto& f : kGlobalFlags) {
        char line[512];
        std::string n = std::string("--") + f.names;
        if (auto c = n.find(','); c != std::string::npos) n = n.substr(0, c) + ", -" + n.substr(c + 1);
        if (f.takes_value) n += " value";
        std::snprintf(line, sizeof line, "   %-22s %s\n", n.c_str(), f.help);
        s += line;
    }
    cli::out(s);
}

int dispatch(int argc, char** argv) {
    auto global = cli::parse_args(argc, argv, kGlobalFlags);
    if (!global) return cli::fail(global.error());
    const cli::Args& g = *global;
    runtime::LogFormat format = runtime::LogFormat::Text;
    std::string lf = g.value("log-format", "text");
    if (lf == "json") format = runtime::LogFormat::Json;
    else if (lf != "text") return cli::fail("invalid log-format: " + lf);
    runtime::configure_log(g.value("log"), format, g.flag("debug"));
    if (g.flag("version")) {
        cli::out(kVersion);
        return 0;
    }
    if (g.positional.empty() || g.flag("help")) {
        print_usage();
        return g.positional.empty() && !g.flag("help") ? 1 : 0;
    }

    runtime::Context ctx;
    ctx.root = g.value("root", ctx.root);
    ctx.systemd_cgroup = g.flag("systemd-cgroup");
    if (ctx.systemd_cgroup && ::access("/run/systemd/system", F_OK) != 0)
        runtime::log_debug("systemd is not running: --systemd-cgroup paths are mapped onto cgroupfs");

    // The verb's own argv starts at the verb name.
    int vargc = int(g.positional.size());
    std::vector<char*> vargv;
    for (const auto& s : g.positional) vargv.push_back(const_cast<char*>(s.c_str()));
    vargv.push_back(nullptr);
    const std::string& name = g.positional[0];
    if (name == "help" || name == "h") {
        if (vargc > 1)
            for (const Verb* v : kVerbs)
                if (v->name == g.positional[1]) {
                    cli::print_help(*v);
                    return 0;
                }
        print_usage();
        return 0;
    }
    for (const Verb* v : kVerbs) {
        if (name != v->name) continue;
        std::vector<cli::Flag> flags = v->flags;
        flags.push_back({"help,h", false, "show help"});
        auto args = cli::parse_args(vargc, vargv.data(), flags);
        if (!args) return cli::fail(args.error());
        if (args->flag("help")) {
            cli::print_help(*v);
            return 0;
        }
        int n = int(args->positional.size());
        if (n < v->min_args || (v->max_args >= 0 && n > v->max_args)) {
            std::string what = v->min_args == v->max_args
                                   ? "exactly " + std::to_string(v->min_args)
                                   : "a minimum of " + std::to_string(v->min_args);
            return cli::fail("skiff-runtime: \"" + name + "\" requires " + what + " argument(s)");
        }
        return v->run(ctx, *args);
    }
    return cli::fail("No help topic for '" + name + "'");
}

} // namespace

int main(int argc, char** argv) {
    try {
        return dispatch(argc, argv);
    } catch (const std::exception& e) {
        return cli::fail(std::string("internal error: ") + e.what());
    }
}
