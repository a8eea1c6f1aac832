// `skiff exec`: run a process in a running container (the runtime library's exec, in this
// process: it waits, forwards signals, proxies the terminal and returns the exit code). With -d
// it returns once the process runs; its output goes nowhere, as docker's (with -t a detached
// holder of the pty master discards it).
#include <fcntl.h>
#include <unistd.h>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/monitor.hpp"
#include "../containers/options.hpp"
#include "../containers/stdio.hpp"
#include "../containers/store.hpp"
#include "skiff/oci/image/bundle.hpp"

namespace skiff::skiffcli {
namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
    std::string key = kv.substr(0, kv.find('='));
    for (auto& e : env)
        if (e.substr(0, e.find('=')) == key) {
            e = kv;
            return;
        }
    env.push_back(kv);
}

// Points fd at /dev/null (exec without -i, or -d).
void to_null(int fd, int flags) {
    int n = ::open("/dev/null", flags | O_CLOEXEC);
    if (n >= 0) {
        ::dup2(n, fd);
        ::close(n);
    }
}

int exec(const Globals& g, const Args& a) {
    const bool detach = a.flag("detach"), tty = a.flag("tty"), interactive = a.flag("interactive");
    if (interactive && tty && !detach && !::isatty(0)) return fail("the input device is not a TTY");
    auto id = resolve_container(g.root, a.positional[0]);
    if (!id) return fail(id.error(), 1);
    auto rec = load_record(g.root, *id);
    if (!rec) return fail(rec.error(), 1);
    if (!is_running(g, *rec)) return fail("Container " + *id + " is not running", 1);

    auto ctx = runtime_context(g);
    auto proc = runtime::container_process(ctx, *id);
    if (!proc) return fail(proc.error());
    runtime::ExecOptions o;
    o.id = *id;
    o.detach = detach;
    o.process = *proc;
    oci::Process& p = o.process;
    p.args.assign(a.positional.begin() + 1, a.positional.end());
    p.terminal = tty;
    p.console_size.reset();
    auto env = collect_env(a.all("env"), a.all("env-file"));
    if (!env) return fail(env.error());
    if (tty) set_env(p.env, "TERM=xterm");
    for (const auto& e : *env) set_env(p.env, e);
    if (a.has("workdir")) {
        std::string w = a.value("workdir");
        if (w.empty() || w[0] != '/')
            return fail("the working directory \"" + w + "\" is invalid, it needs to be an absolute path");
        p.cwd = w;
    }
    if (a.has("user")) {
        auto u = image::resolve_user(container_dir(g.root, *id) + "/rootfs", a.value("user"));
        if (!u) return fail(u.error());
        p.user = {};
        p.user.uid = u->uid;
        p.user.gid = u->gid;
        p.user.additional_gids = u->additional_gids;
    }
    if (detach) {
        to_null(0, O_RDONLY);
        to_null(1, O_WRONLY);
        to_null(2, O_WRONLY);
    } else if (!interactive) {
        to_null(0, O_RDONLY);
    }
    DetachedConsole console;
    if (detach && tty) {
        auto c = open_exec_console(g, *id);
        if (!c) return fail(c.error());
        console = std::move(*c);
        o.console_socket = console.path;
    }
    debug_log(g, "exec in container " + *id + ": " + p.args[0] + (detach ? " (detached)" : "") + (tty ? " with a pty" : ""));
    auto code = runtime::exec(ctx, o);
    if (!code) {
        close_exec_console(console);
        return fail(code.error(), start_exit_code(code.error()));
    }
    if (console.listener) {
        if (auto h = hold_console(console); !h) return fail(h.error());
    }
    return *code;
}

const Command kExec{"exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container",
                    {{"detach,d", Flag::Bool, "detached mode: run command in the background"},
                     {"interactive,i", Flag::Bool, "keep STDIN open even if not attached"},
                     {"tty,t", Flag::Bool, "allocate a pseudo-TTY"},
                     {"env,e", Flag::List, "set environment variables"},
                     {"env-file", Flag::List, "read in a file of environment variables"},
                     {"workdir,w", Flag::Value, "working directory inside the container"},
                     {"user,u", Flag::Value, "username or UID (format: <name|uid>[:<group|gid>])"}},
                    exec, 2, -1, false};
SKIFF_COMMAND(kExec);

} // namespace
} // namespace skiff::skiffcli
