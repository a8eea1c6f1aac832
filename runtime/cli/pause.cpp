#include "args.hpp"

namespace skiff::cli {

const Verb kPause{"pause", "<container-id>", "pause suspends all processes inside the container",
                  {},
                  [](const runtime::Context& ctx, const Args& a) {
                      auto r = runtime::pause(ctx, a.positional[0]);
                      return r ? 0 : fail(r.error());
                  }};

const Verb kResume{"resume", "<container-id>",
                   "resumes all processes that have been previously paused",
                   {},
                   [](const runtime::Context& ctx, const Args& a) {
                       auto r = runtime::resume(ctx, a.positional[0]);
                       return r ? 0 : fail(r.error());
                   }};

} // namespace skiff::cli
