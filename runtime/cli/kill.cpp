#include <signal.h>

#include "args.hpp"

namespace skiff::cli {

const Verb kKill{"kill",
                 "[command options] <container-id> [signal]",
                 "kill sends the specified signal (default: SIGTERM) to the container's init process",
                 {{"all,a", false, "send the specified signal to all processes inside the container"}},
                 [](const runtime::Context& ctx, const Args& a) {
                     int sig = SIGTERM;
                     if (a.positional.size() > 1) {
                         auto s = runtime::parse_signal(a.positional[1]);
                         if (!s) return fail(s.error());
                         sig = *s;
                     }
                     auto r = runtime::kill(ctx, a.positional[0], sig, a.flag("all"));
                     return r ? 0 : fail(r.error());
                 },
                 1, 2};

} // namespace skiff::cli
