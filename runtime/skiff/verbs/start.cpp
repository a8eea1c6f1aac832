// `skiff start`: start created or exited containers under a monitor, or attached (-a).
#include <unistd.h>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/monitor.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

int start(const Globals& g, const Args& a) {
    bool attach = a.flag("attach");
    if (attach && a.positional.size() > 1) return fail("you cannot start and attach multiple containers at once");
    int rc = 0;
    for (const auto& ref : a.positional) {
        auto id = resolve_container(g.root, ref);
        if (!id) {
            fail(id.error());
            rc = 1;
            continue;
        }
        auto rec = load_record(g.root, *id);
        if (rec && refresh(g, *rec).state == State::Running) {
            if (!attach) out(ref + "\n");
            continue;
        }
        if (attach) {
            if (a.flag("interactive") && rec && rec->tty && !::isatty(0))
                return fail("the input device is not a TTY");
            auto code = run_attached(g, *id, AttachOptions{a.flag("interactive")});
            if (!code) return fail(code.error(), start_exit_code(code.error()));
            return *code;
        }
        auto s = start_detached(g, *id);
        if (!s) {
            fail(s.error());
            rc = 1;
            continue;
        }
        out(ref + "\n");
    }
    return rc;
}

const Command kStart{"start", "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers",
                     {{"attach,a", Flag::Bool, "attach STDOUT/STDERR and forward signals"},
                      {"interactive,i", Flag::Bool, "attach container's STDIN"}},
                     start, 1};
SKIFF_COMMAND(kStart);

} // namespace
} // namespace skiff::skiffcli
