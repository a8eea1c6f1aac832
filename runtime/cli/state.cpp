#include "args.hpp"

namespace skiff::cli {

const Verb kState{"state", "<container-id>", "output the state of a container", {},
                  [](const runtime::Context& ctx, const Args& a) {
                      auto s = runtime::state(ctx, a.positional[0]);
                      if (!s) return fail(s.error());
                      out(runtime::state_json(*s, 2)); // runc prints no trailing newline
                      return 0;
                  }};

} // namespace skiff::cli
