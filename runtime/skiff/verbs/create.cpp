// `skiff create`: the container's bundle and record, ready for `start`.
#include "../command.hpp"
#include "../containers/options.hpp"

namespace skiff::skiffcli {
namespace {

int create(const Globals& g, const Args& a) {
    auto rec = create_container(g, a);
    if (!rec) return fail(rec.error());
    out(rec->id + "\n");
    return 0;
}

const Command kCreate{"create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", create_flags(),
                      create, 1, -1, false};
SKIFF_COMMAND(kCreate);

} // namespace
} // namespace skiff::skiffcli
