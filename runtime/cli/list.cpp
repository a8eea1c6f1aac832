#include <nlohmann/json.hpp>

#include "args.hpp"

namespace skiff::cli {
namespace {

// Go's text/tabwriter as runc uses it: minwidth 12, padding 3, the last column unpadded.
std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i + 1 < r.size(); ++i) {
            if (width.size() <= i) width.resize(i + 1, 0);
            width[i] = std::max(width[i], std::max<size_t>(12, r[i].size() + 3));
        }
    std::string s;
    for (const auto& r : rows) {
        for (size_t i = 0; i < r.size(); ++i) {
            s += r[i];
            if (i + 1 < r.size()) s.append(width[i] - r[i].size(), ' ');
        }
        s += "\n";
    }
    return s;
}


} // namespace

const Verb kList{"list", "[command options]", "lists containers started by skiff-runtime with the given root",
                 {{"format,f", true, "select one of: table or json (default: \"table\")"},
                  {"quiet,q", false, "display only container IDs"}},
                 [](const runtime::Context& ctx, const Args& a) {
                     std::string format = a.value("format", "table");
                     if (format != "table" && format != "json")
                         return fail("invalid format option");
                     auto l = runtime::list(ctx);
                     if (!l) return fail(l.error());
                     if (a.flag("quiet")) {
                         std::string s;
                         for (const auto& c : *l) s += c.id + "\n";
                         out(s);
                         return 0;
                     }
                     if (format == "json") {
                         if (l->empty()) {
                             out("null\n");
                             return 0;
                         }
                         std::string s = "[";
                         for (size_t i = 0; i < l->size(); ++i)
                             s += (i ? "," : "") + runtime::state_json((*l)[i], -1);
                         out(s + "]\n");
                         return 0;
                     }
                     std::vector<std::vector<std::string>> rows = {
                         {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
                     for (const auto& c : *l)
                         rows.push_back({c.id, std::to_string(c.pid), oci::to_string(c.status),
                                         c.bundle, c.created, c.owner});
                     out(table(rows));
                     return 0;
                 },
                 0, 0};

} // namespace skiff::cli
