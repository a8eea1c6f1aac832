#include "args.hpp"

namespace skiff::cli {

const Verb kStart{"start", "<container-id>",
                  "executes the user defined process in a created container",
                  {},
                  [](const runtime::Context& ctx, const Args& a) {
                      auto r = runtime::start(ctx, a.positional[0]);
                      return r ? 0 : fail(r.error());
                  }};

} // namespace skiff::cli
