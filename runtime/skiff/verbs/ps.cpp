// `skiff ps`: docker's container table.
#include <ctime>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"
#include "../table.hpp"

namespace skiff::skiffcli {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

// docker's Ellipsis: at most n characters, the last one "…" when cut.
std::string ellipsis(const std::string& s, size_t n) {
    if (s.size() <= n) return s;
    return s.substr(0, n - 1) + "\u2026";
}

std::string status_text(const Record& r, int64_t now) {
    switch (r.state) {
    case State::Created: return "Created";
    case State::Running: return "Up " + human_duration(now - parse_rfc3339(r.started_at));
    case State::Exited:
        return "Exited (" + std::to_string(r.exit_code) + ") " +
               human_duration(now - parse_rfc3339(r.finished_at)) + " ago";
    }
    return "";
}

int ps(const Globals& g, const Args& a) {
    const bool all = a.flag("all"), quiet = a.flag("quiet"), no_trunc = a.flag("no-trunc");
    const int64_t now = int64_t(std::time(nullptr));
    std::vector<std::vector<std::string>> rows;
    std::string ids;
    for (const auto& rec : list_records(g.root)) {
        Record r = refresh(g, rec);
        if (!all && r.state != State::Running) continue;
        std::string id = no_trunc ? r.id : r.id.substr(0, 12);
        if (quiet) {
            ids += id + "\n";
            continue;
        }
        std::string cmd = join(r.args);
        rows.push_back({id, r.image, "\"" + (no_trunc ? cmd : ellipsis(cmd, 20)) + "\"",
                        human_duration(now - parse_rfc3339(r.created)) + " ago", status_text(r, now), "",
                        r.name});
    }
    if (quiet) {
        out(ids);
        return 0;
    }
    out(format_table({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"}, rows));
    return 0;
}

const Command kPs{"ps", "[OPTIONS]", "List containers",
                  {{"all,a", Flag::Bool, "show all containers (default shows just running)"},
                   {"quiet,q", Flag::Bool, "only display container IDs"},
                   {"no-trunc", Flag::Bool, "don't truncate output"}},
                  ps, 0, 0, true, "ls,list"};
SKIFF_COMMAND(kPs);

} // namespace
} // namespace skiff::skiffcli
