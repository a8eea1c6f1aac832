// `skiff stop`: the image's stop signal (SIGTERM by default), SIGKILL after the timeout.
#include <cstdlib>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

int stop(const Globals& g, const Args& a) {
    int timeout = 10;
    if (a.has("time")) {
        std::string t = a.value("time");
        char* end = nullptr;
        long v = std::strtol(t.c_str(), &end, 10);
        if (t.empty() || *end)
            return fail("invalid argument \"" + t + "\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"" + t +
                        "\": invalid syntax");
        timeout = int(v);
    }
    int rc = 0;
    for (const auto& ref : a.positional) {
        auto id = resolve_container(g.root, ref);
        auto r = id ? stop_container(g, *id, timeout) : Result<void>(id.error());
        if (!r) {
            fail(r.error(), 1);
            rc = 1;
            continue;
        }
        out(ref + "\n");
    }
    return rc;
}

const Command kStop{"stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
                    {{"time,t", Flag::Value, "seconds to wait before killing the container", "10"}},
                    stop, 1};
SKIFF_COMMAND(kStop);

} // namespace
} // namespace skiff::skiffcli
