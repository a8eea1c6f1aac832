#include "args.hpp"

namespace skiff::cli {

const Verb kDelete{"delete", "[command options] <container-id>",
                   "delete any resources held by the container often used with detached container",
                   {{"force,f", false, "Forcibly deletes the container if it is still running (uses SIGKILL)"}},
                   [](const runtime::Context& ctx, const Args& a) {
                       auto r = runtime::remove(ctx, a.positional[0], a.flag("force"));
                       return r ? 0 : fail(r.error());
                   }};

} // namespace skiff::cli
