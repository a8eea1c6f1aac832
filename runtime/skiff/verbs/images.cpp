// `skiff images`: docker's columns REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE, newest first.
#include <ctime>
#include <set>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "../table.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::skiffcli {
namespace {

// "busybox", "busybox:1", "127.0.0.1:5000/a/b:tag": the rows a positional argument keeps.
bool matches(const ImageRow& r, const std::string& filter) {
    if (filter.empty()) return true;
    auto colon = filter.rfind(':');
    if (colon != std::string::npos && filter.find('/', colon) == std::string::npos)
        return r.repository == filter.substr(0, colon) && r.tag == filter.substr(colon + 1);
    return r.repository == filter;
}

int images(const Globals& g, const Args& a) {
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    // Untagged images show as <none> like docker's dangling ones. docker's -a adds
    // intermediate build images, which skiff never makes: -a is accepted and lists the same.
    auto rows = list_images(*store, true);
    if (!rows) return fail(rows.error(), 1);
    bool no_trunc = a.flag("no-trunc"), digests = a.flag("digests");
    std::string filter = a.positional.empty() ? "" : a.positional[0];
    auto id_of = [&](const ImageRow& r) { return no_trunc ? r.image_id : short_id(r.image_id); };
    if (a.flag("quiet")) {
        std::string s;
        std::set<std::string> seen;
        for (const auto& r : *rows)
            if (matches(r, filter) && seen.insert(r.image_id).second) s += id_of(r) + "\n";
        out(s);
        return 0;
    }
    std::vector<std::string> header = {"REPOSITORY", "TAG"};
    if (digests) header.push_back("DIGEST");
    header.insert(header.end(), {"IMAGE ID", "CREATED", "SIZE"});
    std::vector<std::vector<std::string>> table;
    int64_t now = int64_t(std::time(nullptr));
    for (const auto& r : *rows) {
        if (!matches(r, filter)) continue;
        std::vector<std::string> row = {r.repository, r.tag};
        if (digests) row.push_back(r.manifest_digest);
        row.push_back(id_of(r));
        row.push_back(r.created ? human_duration(now - r.created) + " ago" : "N/A");
        row.push_back(human_size(r.size));
        table.push_back(row);
    }
    out(format_table(header, table));
    return 0;
}

const Command kImages{"images",
                      "[OPTIONS] [REPOSITORY[:TAG]]",
                      "List images",
                      {{"all,a", Flag::Bool, "show all images (skiff has no intermediate images: same list)"},
                       {"digests", Flag::Bool, "show digests"},
                       {"no-trunc", Flag::Bool, "don't truncate output"},
                       {"quiet,q", Flag::Bool, "only show image IDs"}},
                      images,
                      0,
                      1};
SKIFF_COMMAND(kImages);

} // namespace
} // namespace skiff::skiffcli
