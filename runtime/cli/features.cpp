#include "args.hpp"

namespace skiff::cli {

const Verb kFeatures{"features", "", "show the enabled features", {},
                     [](const runtime::Context&, const Args&) {
                         out(runtime::features_json() + "\n");
                         return 0;
                     },
                     0, 0};

} // namespace skiff::cli
