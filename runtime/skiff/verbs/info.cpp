// `skiff info`: the store, the images and containers in it, this host's cgroup layout, and
// whether each isolation mode can run here (and why not).
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "cgroups/cgroup.hpp"
#include "lifecycle/handler.hpp"

namespace skiff::skiffcli {
namespace {

struct VmCheck {
    bool ok = false;
    std::string vmm;    // path when found
    std::string reason; // why not, when !ok
};

// The same checks the runtime makes when a container asks for vm mode (lifecycle/handler.hpp).
VmCheck check_vm() {
    VmCheck v;
    auto kvm = runtime::open_kvm();
    if (!kvm) {
        v.reason = kvm.error().message;
        return v;
    }
    ::close(*kvm);
    auto vmm = runtime::find_vmm();
    if (!vmm) {
        v.reason = vmm.error().message;
        return v;
    }
    v.vmm = *vmm;
    v.ok = true;
    return v;
}

std::string cgroup_text() {
    auto m = runtime::cgroups::detect_mode();
    if (!m) return "unknown (" + m.error().message + ")";
    switch (*m) {
    case runtime::cgroups::Mode::V2: return "2 (unified)";
    case runtime::cgroups::Mode::Hybrid: return "1 (hybrid: v1 controllers, cgroup2 at /sys/fs/cgroup/unified)";
    case runtime::cgroups::Mode::V1: return "1 (legacy)";
    }
    return "unknown";
}

size_t count_dirs(const std::string& dir) {
    size_t n = 0;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (auto* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
    }
    return n;
}

int info(const Globals& g, const Args& a) {
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    auto rows = list_images(*store, true);
    if (!rows) return fail(rows.error(), 1);
    std::set<std::string> ids;
    for (const auto& r : *rows) ids.insert(r.image_id);
    size_t containers = count_dirs(store->containers_dir());
    struct utsname u {};
    ::uname(&u);
    VmCheck vm = check_vm();
    std::string cg = cgroup_text();
    if (a.value("format") == "json" || a.value("format") == "{{json .}}") {
        nlohmann::json j = {{"ServerVersion", SKIFF_VERSION}, {"StoreRoot", store->root()},
                            {"RunRoot", g.runroot}, {"Images", ids.size()}, {"Containers", containers},
                            {"CgroupVersion", cg.substr(0, 1)}, {"CgroupLayout", cg},
                            {"KernelVersion", u.release}, {"Architecture", u.machine},
                            {"NCPU", std::thread::hardware_concurrency()},
                            {"Isolation", {{"container", {{"Available", true}}},
                                           {"vm", {{"Available", vm.ok}, {"Vmm", vm.vmm}, {"Reason", vm.reason}}}}}};
        out(j.dump() + "\n");
        return 0;
    }
    if (!a.value("format").empty()) return fail("info --format: want json, got \"" + a.value("format") + "\"");
    std::string s;
    s += std::string("Server Version: ") + SKIFF_VERSION + "\n";
    s += "Storage Root: " + store->root() + "\n";
    s += "Run Root: " + g.runroot + "\n";
    s += "Images: " + std::to_string(ids.size()) + "\n";
    s += "Containers: " + std::to_string(containers) + "\n";
    s += "Cgroup Version: " + cg + "\n";
    s += "Isolation:\n container: available\n";
    s += vm.ok ? " vm: available (/dev/kvm, " + vm.vmm + ")\n" : " vm: unavailable: " + vm.reason + "\n";
    s += std::string("Kernel Version: ") + u.release + "\n";
    s += std::string("Architecture: ") + u.machine + "\n";
    s += "CPUs: " + std::to_string(std::thread::hardware_concurrency()) + "\n";
    out(s);
    return 0;
}

const Command kInfo{"info", "[OPTIONS]", "Display system-wide information",
                    {{"format,f", Flag::Value, "format the output: json"}}, info, 0, 0};
SKIFF_COMMAND(kInfo);

} // namespace
} // namespace skiff::skiffcli
