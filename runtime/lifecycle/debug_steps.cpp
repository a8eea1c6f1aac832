#include "debug_steps.hpp"

#include <nlohmann/json.hpp>

#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

void debug_config(const std::string& config_path, const oci::Spec& spec, oci::Isolation iso,
                  const linux::JoinList& join) {
    if (!debug_enabled()) return;
    std::string made, joined;
    if (spec.linux_) {
        for (const auto& ns : spec.linux_->namespaces)
            if (ns.path.empty()) made += (made.empty() ? "" : " ") + ns.type;
        for (const auto& path : join.paths) joined += (joined.empty() ? "" : " ") + path;
    }
    log_debug("config loaded from " + config_path + ": isolation " +
              (iso == Isolation::Vm ? "vm" : "container") + ", " +
              std::to_string(spec.mounts.size()) + " mounts, new namespaces [" + made +
              "], joined namespaces [" + joined + "]");
}

void debug_cgroup(const std::string& id, const std::string& saved) {
    if (!debug_enabled()) return;
    auto j = nlohmann::json::parse(saved, nullptr, false);
    std::string paths;
    if (j.is_object()) {
        if (j.contains("v1") && j["v1"].is_object())
            for (const auto& [controller, path] : j["v1"].items())
                if (path.is_string()) paths += " " + controller + "=" + path.get<std::string>();
        if (j.contains("unified") && j["unified"].is_string())
            paths += " unified=" + j["unified"].get<std::string>();
    }
    debug_step("cgroup created", id, 0, paths.empty() ? saved : paths.substr(1));
}

void debug_step(const char* what, const std::string& id, pid_t pid, const std::string& detail) {
    if (!debug_enabled()) return;
    std::string line = std::string(what) + ": container " + id;
    if (pid > 0) line += " pid " + std::to_string(pid);
    if (!detail.empty()) line += ": " + detail;
    log_debug(line);
}

} // namespace skiff::runtime
