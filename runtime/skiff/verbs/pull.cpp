// `skiff pull`: an image from a registry into the store, with docker's output.
#include <unistd.h>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "../images/registry_flags.hpp"

namespace skiff::skiffcli {
namespace {

int pull(const Globals& g, const Args& a) {
    const std::string& name = a.positional[0];
    auto ref = image::parse_reference(name);
    if (!ref) return fail(ref.error(), 1);
    auto opts = registry_options(a);
    if (!opts) return fail(opts.error(), 1);
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    bool quiet = a.flag("quiet");
    std::string before;
    if (auto md = store->resolve(*ref)) before = *md;
    if (!quiet) {
        std::string s;
        bool no_tag = name.find('@') == std::string::npos &&
                      name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/')).find(':') == std::string::npos;
        if (no_tag) s += "Using default tag: latest\n";
        s += (ref->tag.empty() ? ref->digest : ref->tag) + ": Pulling from " + ref->path + "\n";
        out(s);
        opts->progress = image::terminal_progress(1);
    }
    auto pulled = image::pull_image(*store, *ref, *opts);
    if (!pulled) return fail(pulled.error(), 1);
    if (!quiet) {
        image::Reference shown = *ref;
        shown.digest.clear();
        std::string familiar = ref->tag.empty() ? ref->familiar() : shown.familiar();
        out("Digest: " + pulled->manifest_digest + "\nStatus: " +
            (before == pulled->manifest_digest ? "Image is up to date for " : "Downloaded newer image for ") +
            familiar + "\n");
    }
    out(pulled->reference + "\n");
    return 0;
}

const Command kPull{"pull", "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
                    registry_flags(true), pull, 1, 1};
SKIFF_COMMAND(kPull);

} // namespace
} // namespace skiff::skiffcli
