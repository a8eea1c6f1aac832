// `skiff run`: create the container and start it, attached (this process is its monitor) or
// detached (-d: a monitor process keeps it).
#include <unistd.h>

#include "../command.hpp"
#include "../containers/monitor.hpp"
#include "../containers/options.hpp"

namespace skiff::skiffcli {
namespace {

std::vector<Flag> run_flags() {
    auto f = create_flags();
    f.insert(f.begin(), {"detach,d", Flag::Bool, "run container in background and print container ID"});
    return f;
}

int run(const Globals& g, const Args& a) {
    const bool detach = a.flag("detach");
    if (!detach && a.flag("interactive") && a.flag("tty") && !::isatty(0))
        return fail("the input device is not a TTY");
    auto rec = create_container(g, a);
    if (!rec) return fail(rec.error());
    if (detach) {
        auto s = start_detached(g, rec->id);
        if (!s) return fail(s.error(), start_exit_code(s.error()));
        out(rec->id + "\n");
        return 0;
    }
    auto code = run_attached(g, rec->id, AttachOptions{a.flag("interactive")});
    if (!code) return fail(code.error(), start_exit_code(code.error()));
    return *code;
}

const Command kRun{"run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image",
                   run_flags(), run, 1, -1, false};
SKIFF_COMMAND(kRun);

} // namespace
} // namespace skiff::skiffcli
