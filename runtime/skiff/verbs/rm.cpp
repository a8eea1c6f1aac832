// `skiff rm`: remove containers (-f: running ones too, killed first).
#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

int rm(const Globals& g, const Args& a) {
    int rc = 0;
    for (const auto& ref : a.positional) {
        auto id = resolve_container(g.root, ref);
        auto r = id ? remove_container(g, *id, a.flag("force")) : Result<void>(id.error());
        if (!r) {
            fail(r.error(), 1);
            rc = 1;
            continue;
        }
        out(ref + "\n");
    }
    return rc;
}

const Command kRm{"rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
                  {{"force,f", Flag::Bool, "force the removal of a running container (uses SIGKILL)"}},
                  rm, 1, -1, true, "remove"};
SKIFF_COMMAND(kRm);

} // namespace
} // namespace skiff::skiffcli
