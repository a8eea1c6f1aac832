#include "args.hpp"
#include "create_flags.hpp"

namespace skiff::cli {

const Verb kRun{"run", "[command options] <container-id>", "create and run a container",
                create_flags(true), [](const runtime::Context& ctx, const Args& a) {
                    auto c = create_options(a);
                    if (!c) return fail(c.error());
                    runtime::RunOptions o;
                    o.create = std::move(*c);
                    o.detach = a.flag("detach");
                    o.keep = a.flag("keep");
                    auto r = runtime::run(ctx, o);
                    return r ? *r : fail(r.error());
                }};

} // namespace skiff::cli
