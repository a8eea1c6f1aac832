// `skiff rm`: remove containers (-f: running ones too, killed first).
#include "../command.hpp"
#include "../containers/lifecycle.hpp"

namespace skiff::skiffcli {
namespace {

int rm(const Globals& g, const Args& a) {
    return each_container(g, a.positional, [&](const std::string& id, const std::string&) {
        return remove_container(g, id, a.flag("force"));
    });
}

const Command kRm{"rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
                  {{"force,f", Flag::Bool, "force the removal of a running container (uses SIGKILL)"}},
                  rm, 1, -1, true, "remove"};
SKIFF_COMMAND(kRm);

} // namespace
} // namespace skiff::skiffcli
