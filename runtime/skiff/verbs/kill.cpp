// `skiff kill`: send a signal (SIGKILL by default) to the container's main process.
#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

int kill(const Globals& g, const Args& a) {
    auto sig = runtime::parse_signal(a.value("signal", "KILL"));
    if (!sig) return fail(sig.error());
    int rc = 0;
    for (const auto& ref : a.positional) {
        auto id = resolve_container(g.root, ref);
        if (!id) {
            fail(id.error(), 1);
            rc = 1;
            continue;
        }
        auto rec = load_record(g.root, *id);
        if (!rec || refresh(g, *rec).state != State::Running) {
            fail("Cannot kill container: " + ref + ": Container " + *id + " is not running", 1);
            rc = 1;
            continue;
        }
        if (auto k = runtime::kill(runtime_context(g), *id, *sig, false); !k) {
            fail("Cannot kill container: " + ref + ": " + k.error().message, 1);
            rc = 1;
            continue;
        }
        out(ref + "\n");
    }
    return rc;
}

const Command kKill{"kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
                    {{"signal,s", Flag::Value, "signal to send to the container", "KILL"}}, kill, 1};
SKIFF_COMMAND(kKill);

} // namespace
} // namespace skiff::skiffcli
