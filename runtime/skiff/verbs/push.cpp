// `skiff push NAME[:TAG] [DESTINATION]`: docker pushes an image to the registry its name
// names; podman's second argument pushes it under another name.
#include "../command.hpp"
#include "../images/catalog.hpp"
#include "../images/progress.hpp"
#include "../images/registry_flags.hpp"

namespace skiff::skiffcli {
namespace {

int push(const Globals& g, const Args& a) {
    auto local = image::parse_reference(a.positional[0]);
    if (!local) return fail(local.error(), 1);
    auto remote = image::parse_reference(a.positional.size() > 1 ? a.positional[1] : a.positional[0]);
    if (!remote) return fail(remote.error(), 1);
    auto opts = registry_options(a);
    if (!opts) return fail(opts.error(), 1);
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    if (auto md = store->resolve(*local); !md) return fail("No such image: " + a.positional[0], 1);
    opts->parallel = 5; // docker's max-concurrent-uploads
    bool quiet = a.flag("quiet");
    if (!quiet) {
        out("The push refers to repository [" + remote->repository() + "]\n");
        opts->progress = progress_printer(1, true);
    }
    auto md = image::push_image(*store, *local, *remote, *opts);
    if (!md) return fail(md.error(), 1);
    if (!quiet) {
        auto manifest = store->read_blob(*md);
        out((remote->tag.empty() ? std::string("latest") : remote->tag) + ": digest: " + *md +
            " size: " + std::to_string(manifest ? manifest->size() : 0) + "\n");
    }
    return 0;
}

const Command kPush{"push", "[OPTIONS] NAME[:TAG] [DESTINATION]", "Upload an image to a registry",
                    registry_flags(false), push, 1, 2};
SKIFF_COMMAND(kPush);

} // namespace
} // namespace skiff::skiffcli
