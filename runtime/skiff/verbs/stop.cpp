// `skiff stop`: the image's stop signal (SIGTERM by default), SIGKILL after the timeout.
#include <cstdlib>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"

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
    return each_container(g, a.positional,
                          [&](const std::string& id, const std::string&) { return stop_container(g, id, timeout); });
}

const Command kStop{"stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
                    {{"time,t", Flag::Value, "seconds to wait before killing the container", "10"}},
                    stop, 1};
SKIFF_COMMAND(kStop);

} // namespace
} // namespace skiff::skiffcli
