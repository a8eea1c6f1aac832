#include "options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>

#include "images/catalog.hpp"
#include "images/progress.hpp"
#include "lifecycle.hpp"
#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/isolation.hpp"
#include "skiff/oci/image/registry.hpp"
#include "store.hpp"

namespace skiff::skiffcli {

const std::vector<Flag>& create_flags() {
    static const std::vector<Flag> flags = {
        {"interactive,i", Flag::Bool, "keep STDIN open even if not attached"},
        {"tty,t", Flag::Bool, "allocate a pseudo-TTY"},
        {"rm", Flag::Bool, "automatically remove the container when it exits"},
        {"name", Flag::Value, "assign a name to the container"},
        {"env,e", Flag::List, "set environment variables"},
        {"env-file", Flag::List, "read in a file of environment variables"},
        {"volume,v", Flag::List, "bind mount a volume: /host:/container[:ro]"},
        {"workdir,w", Flag::Value, "working directory inside the container"},
        {"user,u", Flag::Value, "username or UID (format: <name|uid>[:<group|gid>])"},
        {"entrypoint", Flag::Value, "overwrite the default ENTRYPOINT of the image"},
        {"memory,m", Flag::Value, "memory limit (64m, 1g)"},
        {"cpus", Flag::Value, "number of CPUs"},
        {"pids-limit", Flag::Value, "tune container pids limit (set -1 for unlimited)"},
        {"read-only", Flag::Bool, "mount the container's root filesystem as read only"},
        {"hostname,h", Flag::Value, "container host name"},
        {"isolation", Flag::Value, "container isolation technology: container or vm", "container"},
        {"network", Flag::Value, "network mode: none or host", "none"},
        {"pull", Flag::Value, "pull image before running: missing, always or never", "missing"},
    };
    return flags;
}

Result<int64_t> parse_size(const std::string& text) {
    auto bad = [&] { return Error{"invalid size: '" + text + "'"}; };
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0 || text[0] == '.') return bad();
    std::string num = text.substr(0, i), unit = text.substr(i);
    if (!unit.empty() && unit[0] == ' ') unit = unit.substr(1);
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (!end || *end) return bad();
    double mult = 1;
    size_t k = 0;
    if (k < unit.size()) {
        const char* letters = "kmgtp";
        const char* at = std::strchr(letters, std::tolower(static_cast<unsigned char>(unit[k])));
        if (at && *at) {
            for (long e = 0; e <= at - letters; ++e) mult *= 1024.0;
            ++k;
        }
    }
    if (k < unit.size() && (unit[k] == 'i' || unit[k] == 'I')) ++k;
    if (k < unit.size() && (unit[k] == 'b' || unit[k] == 'B')) ++k;
    if (k != unit.size()) return bad();
    double bytes = v * mult;
    if (bytes > 9.2e18) return bad();
    return int64_t(bytes);
}

Result<std::vector<std::string>> collect_env(const std::vector<std::string>& env_flags,
                                             const std::vector<std::string>& env_files) {
    std::vector<std::string> out;
    auto add = [&](const std::string& e) {
        if (e.find('=') != std::string::npos) {
            out.push_back(e);
        } else if (const char* v = std::getenv(e.c_str())) {
            out.push_back(e + "=" + v);
        }
    };
    // docker reads the files first; -e entries override them.
    for (const auto& path : env_files) {
        std::ifstream in(path);
        if (!in) return Error{"open " + path + ": no such file or directory", ENOENT};
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            ++n;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            size_t s = line.find_first_not_of(" \t");
            if (s == std::string::npos || line[s] == '#') continue;
            line = line.substr(s);
            if (line[0] == '=')
                return Error{"--env-file " + path + ": line " + std::to_string(n) + ": variable without a name"};
            add(line);
        }
    }
    for (const auto& e : env_flags) {
        if (e.empty() || e[0] == '=') return Error{"invalid environment variable: " + e};
        add(e);
    }
    return out;
}

Result<image::RunOptions> run_options(const Args& a) {
    image::RunOptions o;
    o.image_name = a.positional.at(0);
    o.args.assign(a.positional.begin() + 1, a.positional.end());
    if (a.has("entrypoint")) o.entrypoint = a.value("entrypoint");
    o.env = SKIFF_TRY(collect_env(a.all("env"), a.all("env-file")));
    o.workdir = a.value("workdir");
    o.user = a.value("user");
    o.hostname = a.value("hostname");
    o.tty = a.flag("tty");
    o.read_only = a.flag("read-only");
    // Without --isolation, the host's default (/etc/skiff/config.json) decides, as it does
    // for skiff-runtime.
    auto host = oci::load_host_config();
    if (!host) return std::move(host).error();
    o.isolation = a.value("isolation", oci::to_string(host->isolation));
    if (o.isolation != "container" && o.isolation != "vm")
        return Error{"invalid isolation \"" + o.isolation + "\": want container or vm"};
    o.network = a.value("network", "none");
    if (o.network != "none" && o.network != "host")
        return Error{"network " + o.network + " not found: skiff has none and host"};
    for (const auto& v : a.all("volume")) o.volumes.push_back(SKIFF_TRY(image::parse_volume(v)));
    if (a.has("memory")) {
        auto m = parse_size(a.value("memory"));
        if (!m) return Error{"invalid argument \"" + a.value("memory") + "\" for \"-m, --memory\" flag: " + m.error().message};
        o.memory = *m;
    }
    if (a.has("cpus")) {
        std::string s = a.value("cpus");
        char* end = nullptr;
        double c = std::strtod(s.c_str(), &end);
        if (s.empty() || !end || *end || !std::isfinite(c))
            return Error{"invalid argument \"" + s + "\" for \"--cpus\" flag: failed to parse " + s + " as a rational number"};
        if (c <= 0) return Error{"Range of CPUs is from 0.01 to the number of CPUs available"};
        o.cpus = c;
    }
    if (a.has("pids-limit")) {
        std::string s = a.value("pids-limit");
        char* end = nullptr;
        long long p = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || !end || *end)
            return Error{"invalid argument \"" + s + "\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"" + s +
                         "\": invalid syntax"};
        o.pids_limit = p;
    }
    if (o.isolation == "vm" && !host->vm_fallback) { // with vm_fallback the runtime falls back
        struct stat st{};
        if (::stat("/dev/kvm", &st) != 0 || !S_ISCHR(st.st_mode) || ::access("/dev/kvm", R_OK | W_OK) != 0)
            return Error{"--isolation vm: /dev/kvm is not available on this host (vm mode needs KVM)"};
    }
    return o;
}

namespace {

// docker's --pull: "missing" pulls only what the store lacks (saying so on stderr), "always"
// asks the registry every time, "never" only looks in the store.
Result<std::string> find_or_pull(image::Store& store, const std::string& name, const std::string& policy) {
    if (policy != "missing" && policy != "always" && policy != "never")
        return Error{"invalid pull option: '" + policy + "': must be one of \"always\", \"missing\" or \"never\""};
    auto local = find_image(store, name); // a reference, or an image id (prefix) as docker takes
    if (policy == "never" || (policy == "missing" && (local || local.error().code != ENOENT))) return local;
    auto ref = image::parse_reference(name);
    if (!ref) return local ? std::move(ref).error() : std::move(local).error();
    if (!local) {
        std::string msg = "Unable to find image '" + ref->familiar() + "' locally\n";
        (void)!::write(2, msg.data(), msg.size());
    }
    image::RegistryOptions ro;
    ro.progress = progress_printer(2);
    auto pulled = image::pull_image(store, *ref, ro);
    if (!pulled) return std::move(pulled).error();
    return pulled->manifest_digest;
}

Record record_of(const std::string& id, const std::string& name, const image::Image& img,
                 const image::RunOptions& o, const oci::Spec& spec) {
    Record r;
    r.id = id;
    r.name = name;
    r.created = rfc3339_now();
    r.image = o.image_name;
    r.image_id = img.config_digest;
    const auto& p = *spec.process;
    r.args = p.args;
    // The same override rules as make_spec, kept apart for inspect's Config.
    r.entrypoint = img.config.entrypoint;
    r.cmd = img.config.cmd;
    if (o.entrypoint) {
        r.entrypoint = o.entrypoint->empty() ? std::vector<std::string>{} : std::vector<std::string>{*o.entrypoint};
        r.cmd.clear();
    }
    if (!o.args.empty()) r.cmd = o.args;
    r.env = p.env;
    r.user = o.user.empty() ? img.config.user : o.user;
    r.working_dir = p.cwd;
    r.hostname = spec.hostname;
    r.tty = o.tty;
    r.isolation = o.isolation;
    r.network = o.network;
    r.memory = o.memory.value_or(0);
    r.nano_cpus = o.cpus ? int64_t(*o.cpus * 1e9) : 0;
    r.pids_limit = o.pids_limit.value_or(0);
    r.read_only = o.read_only;
    for (const auto& v : o.volumes) r.binds.push_back(v.source + ":" + v.destination + (v.read_only ? ":ro" : ""));
    r.stop_signal = img.config.stop_signal;
    return r;
}

} // namespace

// The name is claimed once the container's directory exists (store.hpp); a taken name is
// refused before any work too.
Result<Record> create_container(const Globals& g, const Args& a) {
    image::RunOptions o = SKIFF_TRY(run_options(a));
    std::string name;
    if (a.has("name")) {
        name = SKIFF_TRY(check_name(a.value("name")));
        if (auto owner = name_owner(g.root, name); !owner.empty()) return name_conflict(name, owner);
    }
    std::string id = new_id();
    auto store = SKIFF_TRY(image::Store::open(g.root));
    std::string md = SKIFF_TRY(find_or_pull(store, o.image_name, a.value("pull", "missing")));
    debug_log(g, "image " + o.image_name + " is manifest " + md);
    auto img = SKIFF_TRY(store.image(md));
    auto bundle = SKIFF_TRY(image::create_bundle(store, img, id, o));
    debug_log(g, "container " + id + ": bundle " + bundle.dir + " (" + (bundle.rootfs.overlay ? "overlay" : "copied") +
                     " rootfs of " + std::to_string(img.manifest.layers.size()) + " layers)");
    auto made = [&]() -> Result<Record> {
        if (!name.empty()) {
            SKIFF_CHECK(reserve_name(g.root, name, id));
        } else {
            for (unsigned attempt = 0;; ++attempt) {
                name = generate_name(attempt);
                auto r = reserve_name(g.root, name, id);
                if (r) break;
                if (r.error().code != EEXIST || attempt > 20) return std::move(r).error();
            }
        }
        Record r = record_of(id, name, img, o, bundle.spec);
        r.open_stdin = a.flag("interactive");
        r.auto_remove = a.flag("rm");
        if (auto s = save_record(g.root, r); !s) {
            release_name(g.root, name, id);
            return std::move(s).error();
        }
        return r;
    }();
    if (!made) (void)image::remove_rootfs(store, id);
    return made;
}

} // namespace skiff::skiffcli
