// `skiff inspect`: docker's JSON array of container details, or --format '{{.State.Status}}'.
// A name no container has is looked up as an image, as docker does.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "../command.hpp"
#include "../containers/lifecycle.hpp"
#include "../containers/store.hpp"
#include "../images/catalog.hpp"

namespace skiff::skiffcli {
namespace {

using nlohmann::json;

json to_json(const Globals& g, const Record& r) {
    json mounts = json::array();
    for (const auto& b : r.binds) {
        auto c1 = b.find(':');
        auto c2 = b.find(':', c1 + 1);
        bool ro = c2 != std::string::npos && b.substr(c2 + 1) == "ro";
        mounts.push_back({{"Type", "bind"},
                          {"Source", b.substr(0, c1)},
                          {"Destination", b.substr(c1 + 1, c2 == std::string::npos ? c2 : c2 - c1 - 1)},
                          {"Mode", ro ? "ro" : ""},
                          {"RW", !ro},
                          {"Propagation", "rprivate"}});
    }
    return {
        {"Id", r.id},
        {"Created", r.created},
        {"Path", r.args.empty() ? "" : r.args[0]},
        {"Args", r.args.empty() ? std::vector<std::string>{}
                                : std::vector<std::string>(r.args.begin() + 1, r.args.end())},
        {"State",
         {{"Status", to_string(r.state)},
          {"Running", r.state == State::Running},
          {"Paused", false},
          {"Restarting", false},
          {"OOMKilled", false},
          {"Dead", false},
          {"Pid", r.pid},
          {"ExitCode", r.exit_code},
          {"Error", r.error},
          {"StartedAt", r.started_at},
          {"FinishedAt", r.finished_at}}},
        {"Image", r.image_id},
        {"LogPath", log_path(g.root, r.id)},
        {"Name", "/" + r.name},
        {"Platform", "linux"},
        {"HostConfig",
         {{"Binds", r.binds},
          {"NetworkMode", r.network},
          {"AutoRemove", r.auto_remove},
          {"Isolation", r.isolation},
          {"Memory", r.memory},
          {"NanoCpus", r.nano_cpus},
          {"PidsLimit", r.pids_limit},
          {"ReadonlyRootfs", r.read_only}}},
        {"Mounts", mounts},
        {"Config",
         {{"Hostname", r.hostname},
          {"Domainname", ""},
          {"User", r.user},
          {"Tty", r.tty},
          {"OpenStdin", r.open_stdin},
          {"Env", r.env},
          {"Cmd", r.cmd},
          {"Image", r.image},
          {"WorkingDir", r.working_dir},
          {"Entrypoint", r.entrypoint.empty() ? json(nullptr) : json(r.entrypoint)},
          {"StopSignal", r.stop_signal.empty() ? "SIGTERM" : r.stop_signal}}},
    };
}

// docker's image inspect fields that the store knows; Size as `images` shows it.
Result<json> image_json(image::Store& store, const std::string& name) {
    auto md = SKIFF_TRY(find_image(store, name));
    auto rows = SKIFF_TRY(list_images(store, true));
    auto img = SKIFF_TRY(store.image(md));
    json tags = json::array(), digests = json::array();
    uint64_t size = 0;
    for (const auto& r : rows) {
        if (r.manifest_digest != md) continue;
        size = r.size;
        if (r.tag != "<none>") tags.push_back(r.repository + ":" + r.tag);
        std::string d = r.repository + "@" + md;
        if (r.repository != "<none>" && std::find(digests.begin(), digests.end(), d) == digests.end())
            digests.push_back(d);
    }
    auto cfg = json::parse(img.config_json, nullptr, false);
    json config = cfg.is_object() && cfg.contains("config") ? cfg["config"] : json::object();
    return json{{"Id", img.config_digest},
                {"RepoTags", tags},
                {"RepoDigests", digests},
                {"Created", img.config.created},
                {"Size", size},
                {"Architecture", img.config.architecture},
                {"Os", img.config.os},
                {"Config", config},
                {"RootFS", {{"Type", "layers"}, {"Layers", img.config.diff_ids}}}};
}

std::string scalar_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "<no value>";
    return v.dump();
}

// The part of Go templates people use with inspect: {{.A.B}} and {{json .A}}.
Result<std::string> render(const std::string& fmt, const json& obj) {
    std::string out;
    size_t pos = 0;
    while (pos < fmt.size()) {
        size_t open = fmt.find("{{", pos);
        if (open == std::string::npos) {
            out += fmt.substr(pos);
            break;
        }
        out += fmt.substr(pos, open - pos);
        size_t close = fmt.find("}}", open);
        if (close == std::string::npos) return Error{"template: unclosed action in \"" + fmt + "\""};
        std::string expr = fmt.substr(open + 2, close - open - 2);
        while (!expr.empty() && expr.front() == ' ') expr.erase(0, 1);
        while (!expr.empty() && expr.back() == ' ') expr.pop_back();
        bool as_json = expr.rfind("json ", 0) == 0;
        if (as_json) expr = expr.substr(5);
        if (expr.empty() || expr[0] != '.') return Error{"template: unsupported action {{" + expr + "}}"};
        const json* v = &obj;
        size_t p = 1;
        while (p < expr.size()) {
            size_t dot = expr.find('.', p);
            std::string key = expr.substr(p, dot == std::string::npos ? dot : dot - p);
            if (!v->is_object() || !v->contains(key))
                return Error{"template: can't evaluate field " + key};
            v = &(*v)[key];
            p = dot == std::string::npos ? expr.size() : dot + 1;
        }
        out += as_json ? v->dump() : scalar_text(*v);
        pos = close + 2;
    }
    return out;
}

int inspect(const Globals& g, const Args& a) {
    const std::string type = a.value("type", "");
    if (!type.empty() && type != "container" && type != "image")
        return fail("\"" + type + "\" is not a valid value for --type", 1);
    json arr = json::array();
    std::string formatted;
    int rc = 0;
    for (const auto& ref : a.positional) {
        std::optional<Record> now;
        if (type != "image") {
            auto id = resolve_container(g.root, ref);
            auto rec = id ? load_record(g.root, *id) : Result<Record>(id.error());
            if (rec) now = refresh(g, *rec);
        }
        json j;
        if (now) {
            j = to_json(g, *now);
        } else if (type == "container") {
            fail("Error: No such container: " + ref, 1);
            rc = 1;
            continue;
        } else {
            auto store = open_store(g);
            auto img = store ? image_json(*store, ref) : Result<json>(store.error());
            if (!img) {
                fail(std::string(type == "image" ? "Error: No such image: " : "Error: No such object: ") + ref, 1);
                rc = 1;
                continue;
            }
            j = std::move(*img);
        }
        if (a.has("format")) {
            auto s = render(a.value("format"), j);
            if (!s) return fail(s.error());
            formatted += *s + "\n";
        } else {
            arr.push_back(std::move(j));
        }
    }
    out(a.has("format") ? formatted : arr.dump(4) + "\n");
    return rc;
}

const Command kInspect{"inspect", "[OPTIONS] NAME|ID [NAME|ID...]", "Display detailed information on containers or images",
                       {{"format,f", Flag::Value, "format the output using a Go-template subset: {{.State.Status}}"},
                        {"type", Flag::Value, "only containers (container) or only images (image)"}},
                       inspect, 1};
SKIFF_COMMAND(kInspect);

} // namespace
} // namespace skiff::skiffcli
