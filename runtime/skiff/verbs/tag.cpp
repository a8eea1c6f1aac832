// `skiff tag SOURCE TARGET`: another name for an image the store holds.
#include "../command.hpp"
#include "../images/catalog.hpp"

namespace skiff::skiffcli {
namespace {

int tag(const Globals& g, const Args& a) {
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    auto target = image::parse_reference(a.positional[1]);
    if (!target) return fail(target.error(), 1);
    if (!target->digest.empty())
        return fail("refusing to create a tag with a digest reference: " + a.positional[1], 1);
    auto md = find_image(*store, a.positional[0]);
    if (!md) return fail(md.error(), 1);
    if (auto r = store->set_reference(*target, *md); !r) return fail(r.error(), 1);
    return 0;
}

const Command kTag{"tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                   "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", {}, tag, 2, 2};
SKIFF_COMMAND(kTag);

} // namespace
} // namespace skiff::skiffcli
