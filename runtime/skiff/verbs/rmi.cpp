// `skiff rmi`: untag, and delete the image's blobs once no name is left (as docker does).
// An image a container was made from stays unless -f.
#include "../command.hpp"
#include "../images/catalog.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::skiffcli {
namespace {

Result<void> remove_one(image::Store& store, const std::string& name, bool force, bool prune) {
    auto guard = SKIFF_TRY(store.lock(image::Store::LockMode::Exclusive));
    auto refs = SKIFF_TRY(store.references());
    std::vector<std::string> untag;
    std::string md;
    auto ref = image::parse_reference(name);
    bool by_name = ref && ref->digest.empty() && refs.count(ref->str());
    if (by_name) {
        md = refs[ref->str()];
        untag.push_back(ref->str());
    } else {
        md = SKIFF_TRY(find_image(store, name));
        for (const auto& [n, d] : refs)
            if (d == md) untag.push_back(n);
    }
    auto img = SKIFF_TRY(store.image(md));
    std::string id = short_id(img.config_digest);
    if (!by_name && untag.size() > 1 && !force)
        return Error{"conflict: unable to delete " + id +
                     " (must be forced) - image is referenced in multiple repositories"};
    auto users = containers_using(store, md);
    if (!users.empty() && !force) {
        if (by_name)
            return Error{"conflict: unable to remove repository reference \"" + name + "\" (must force) - container " +
                         users[0].substr(0, 12) + " is using its referenced image " + id};
        return Error{"conflict: unable to delete " + id + " (must be forced) - image is being used by container " +
                     users[0].substr(0, 12)};
    }
    for (const auto& n : untag) {
        SKIFF_CHECK(store.remove_reference(SKIFF_TRY(image::parse_reference(n))));
        out("Untagged: " + image::parse_reference(n)->familiar() + "\n");
    }
    for (const auto& [n, d] : SKIFF_TRY(store.references()))
        if (d == md) return ok(); // another name keeps it
    if (!prune) return ok();
    // Partial downloads in tmp/ are kept: an interrupted pull resumes from them.
    SKIFF_CHECK(store.gc(false));
    out("Deleted: " + img.config_digest + "\n");
    return ok();
}

int rmi(const Globals& g, const Args& a) {
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    int rc = 0;
    for (const auto& name : a.positional) {
        if (auto r = remove_one(*store, name, a.flag("force"), !a.flag("no-prune")); !r) {
            fail(r.error());
            rc = 1;
        }
    }
    return rc;
}

const Command kRmi{"rmi",
                   "[OPTIONS] IMAGE [IMAGE...]",
                   "Remove one or more images",
                   {{"force,f", Flag::Bool, "force removal of the image"},
                    {"no-prune", Flag::Bool, "do not delete the image's blobs, only untag"}},
                   rmi,
                   1};
SKIFF_COMMAND(kRmi);

} // namespace
} // namespace skiff::skiffcli
