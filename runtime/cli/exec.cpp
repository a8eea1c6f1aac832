// `exec`: the process comes from --process (a process.json, replacing the container's) or
// from the container's own process with the command and the flags applied over it.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "args.hpp"
#include "skiff/oci/resources.hpp"

namespace skiff::cli {
namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    for (auto& e : env)
        if (e.compare(0, key.size() + 1, key + "=") == 0) {
            e = kv;
            return;
        }
    env.push_back(kv);
}

Result<uint32_t> parse_id(const std::string& what, const std::string& text) {
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end || text[0] == '-' || v > 0xffffffffUL)
        return Error{"parsing " + what + " " + text + ": invalid syntax"};
    return uint32_t(v);
}

Result<runtime::ExecOptions> exec_options(const runtime::Context& ctx, const Args& a) {
    runtime::ExecOptions o;
    o.id = a.positional[0];
    if (a.has("process")) {
        o.process = SKIFF_TRY(oci::load_process(a.value("process")));
    } else {
        if (a.positional.size() < 2)
            return Error{"exec args cannot be empty"};
        o.process = SKIFF_TRY(runtime::container_process(ctx, o.id));
        o.process.args.assign(a.positional.begin() + 1, a.positional.end());
        o.process.terminal = a.flag("tty");
        for (const auto& e : a.all("env")) set_env(o.process.env, e);
        if (a.has("cwd")) o.process.cwd = a.value("cwd");
        if (a.has("user")) {
            std::string u = a.value("user");
            auto colon = u.find(':');
            o.process.user.uid = SKIFF_TRY(parse_id("uid", u.substr(0, colon)));
            if (colon != std::string::npos)
                o.process.user.gid = SKIFF_TRY(parse_id("gid", u.substr(colon + 1)));
        }
        for (const auto& g : a.all("additional-gids"))
            o.process.user.additional_gids.push_back(SKIFF_TRY(parse_id("additional gid", g)));
        if (a.flag("no-new-privs")) o.process.no_new_privileges = true;
        if (a.has("apparmor")) o.process.apparmor_profile = a.value("apparmor");
        if (a.has("process-label")) o.process.selinux_label = a.value("process-label");
        if (!a.all("cap").empty()) {
            if (!o.process.capabilities) o.process.capabilities.emplace();
            auto& c = *o.process.capabilities;
            for (auto* set : {&c.bounding, &c.effective, &c.permitted}) {
                if (!*set) set->emplace();
                for (const auto& cap : a.all("cap")) (*set)->push_back(cap);
            }
        }
    }
    if (a.has("cgroup")) return Error{"exec --cgroup: sub-cgroups are not supported"};
    o.console_socket = a.value("console-socket");
    o.pid_file = a.value("pid-file");
    o.detach = a.flag("detach");
    o.ignore_paused = a.flag("ignore-paused");
    if (a.has("preserve-fds")) o.preserve_fds = SKIFF_TRY(parse_int("preserve-fds", a.value("preserve-fds")));
    return o;
}

} // namespace

const Verb kExec{
    "exec",
    "[command options] <container-id> <command> [command options]  || -p process.json <container-id>",
    "execute new process inside the container",
    {{"console-socket", true, "path to an AF_UNIX socket which will receive a file descriptor "
                              "referencing the master end of the console's pseudoterminal"},
     {"cwd", true, "current working directory in the container"},
     {"env,e", true, "set environment variables"},
     {"tty,t", false, "allocate a pseudo-TTY"},
     {"user,u", true, "UID (format: <uid>[:<gid>])"},
     {"additional-gids,g", true, "additional gids"},
     {"process,p", true, "path to the process.json"},
     {"detach,d", false, "detach from the container's process"},
     {"pid-file", true, "specify the file to write the process id to"},
     {"process-label", true, "set the asm process label for the process commonly used with selinux"},
     {"apparmor", true, "set the apparmor profile for the process"},
     {"no-new-privs", false, "set the no new privileges value for the process"},
     {"cap,c", true, "add a capability to the bounding set for the process"},
     {"preserve-fds", true, "Pass N additional file descriptors to the container (stdio + "
                            "$LISTEN_FDS + N in total) (default: 0)"},
     {"cgroup", true, "run the process in an (existing) sub-cgroup(s)"},
     {"ignore-paused", false, "allow exec in a paused container"}},
    [](const runtime::Context& ctx, const Args& a) {
        auto o = exec_options(ctx, a);
        if (!o) return fail(o.error());
        auto r = runtime::exec(ctx, *o);
        return r ? *r : fail(r.error());
    },
    1, -1};

} // namespace skiff::cli
