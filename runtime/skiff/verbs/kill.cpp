// `skiff kill`: send a signal (SIGKILL by default) to the container's main process.
#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

int kill(const Globals& g, const Args& a) {
    auto sig = runtime::parse_signal(a.value("signal", "KILL"));
    if (!sig) return fail(sig.error());
    return each_container(g, a.positional, [&](const std::string& id, const std::string& ref) -> Result<void> {
        auto rec = load_record(g.root, id);
        if (!rec || !is_running(g, *rec))
            return Error{"Cannot kill container: " + ref + ": Container " + id + " is not running"};
        if (auto k = runtime::kill(runtime_context(g), id, *sig, false); !k)
            return Error{"Cannot kill container: " + ref + ": " + k.error().message};
        return ok();
    });
}

const Command kKill{"kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
                    {{"signal,s", Flag::Value, "signal to send to the container", "KILL"}}, kill, 1};
SKIFF_COMMAND(kKill);

} // namespace
} // namespace skiff::skiffcli
