#include "args.hpp"
#include "create_flags.hpp"

namespace skiff::cli {

const Verb kCreate{
    "create", "[command options] <container-id>", "create a container", create_flags(false),
    [](const runtime::Context& ctx, const Args& a) {
        auto opts = create_options(a);
        if (!opts) return fail(opts.error());
        auto r = runtime::create(ctx, *opts);
        return r ? 0 : fail(r.error());
    }};

} // namespace skiff::cli
