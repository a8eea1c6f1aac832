// Bundles from images, following docker's container defaults (moby daemon/oci_linux.go and
// its create path) where they differ from runc's `runc spec`.
#include "skiff/oci/image/bundle.hpp"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bundle_parts.hpp"
#include "fs.hpp"
#include "skiff/oci/isolation.hpp"

namespace skiff::image {
namespace {

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

void set_env(std::vector<std::string>& env, const std::string& kv) {
    std::string key = env_key(kv);
    for (auto& e : env)
        if (env_key(e) == key) {
            e = kv;
            return;
        }
    env.push_back(kv);
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& e : env)
        if (env_key(e) == key) return true;
    return false;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

// mkdir -p of the working directory inside the rootfs, each step resolved in the root so an
// image symlink cannot send it to the host.
Result<void> make_workdir(const std::string& rootfs, const std::string& cwd) {
    fs::Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return errno_error("open " + rootfs);
    std::string sofar;
    size_t pos = 1;
    while (pos <= cwd.size()) {
        auto s = cwd.find('/', pos);
        if (s == std::string::npos) s = cwd.size();
        std::string comp = cwd.substr(pos, s - pos);
        pos = s + 1;
        if (comp.empty()) continue;
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
        std::string parent = sofar.empty() ? "." : sofar;
        fs::Fd dir(int(::syscall(SYS_openat2, root.get(), parent.c_str(), &how, sizeof how)));
        if (!dir) return errno_error("working directory " + cwd + ": open " + parent);
        if (::mkdirat(dir.get(), comp.c_str(), 0755) < 0 && errno != EEXIST)
            return errno_error("working directory " + cwd + ": mkdir " + comp);
        sofar += (sofar.empty() ? "" : "/") + comp;
    }
    return ok();
}

} // namespace

std::string clean_abs(const std::string& p) {
    std::string out;
    size_t pos = 0;
    while (pos <= p.size()) {
        auto s = p.find('/', pos);
        if (s == std::string::npos) s = p.size();
        std::string c = p.substr(pos, s - pos);
        if (!c.empty() && c != ".") out += "/" + c;
        pos = s + 1;
    }
    return out.empty() ? "/" : out;
}

const std::vector<std::string>& default_capabilities() {
    static const std::vector<std::string> caps = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
        "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",   "CAP_AUDIT_WRITE"};
    return caps;
}

Result<oci::Spec> make_spec(const Image& image, const std::string& id, const std::string& rootfs,
                            const RunOptions& opts) {
    const ImageConfig& cfg = image.config;
    auto iso = oci::parse_isolation(opts.isolation);
    if (!iso) return iso.error().wrap("--isolation");

    oci::Spec spec = oci::default_spec(false);
    auto& p = *spec.process;

    // Command: --entrypoint replaces the image's and drops its Cmd; args replace Cmd.
    std::vector<std::string> entry = cfg.entrypoint;
    std::vector<std::string> cmd = cfg.cmd;
    if (opts.entrypoint) {
        entry = opts.entrypoint->empty() ? std::vector<std::string>{}
                                         : std::vector<std::string>{*opts.entrypoint};
        cmd.clear();
    }
    if (!opts.args.empty()) cmd = opts.args;
    p.args = entry;
    p.args.insert(p.args.end(), cmd.begin(), cmd.end());
    if (p.args.empty())
        return Error{"no command specified: the image has no Entrypoint or Cmd and none was given"};

    std::string workdir = opts.workdir.empty() ? cfg.working_dir : opts.workdir;
    if (!opts.workdir.empty() && opts.workdir[0] != '/')
        return Error{"the working directory \"" + opts.workdir + "\" is invalid, it needs to be an absolute path"};
    p.cwd = clean_abs(workdir.empty() ? "/" : "/" + workdir);

    std::string user = opts.user.empty() ? cfg.user : opts.user;
    auto u = resolve_user(rootfs, user);
    if (!u) return u.error().wrap(opts.user.empty() ? "image User" : "--user");
    p.user = {};
    p.user.uid = u->uid;
    p.user.gid = u->gid;
    p.user.additional_gids = u->additional_gids;

    // docker: with the host's network the container also takes the host's name.
    std::string hostname = opts.hostname;
    if (hostname.empty() && opts.network == "host") {
        char host[HOST_NAME_MAX + 1] = {};
        if (::gethostname(host, sizeof host - 1) == 0) hostname = host;
    }
    if (hostname.empty()) hostname = id.substr(0, 12);
    p.env.clear();
    set_env(p.env, kDefaultPath);
    set_env(p.env, "HOSTNAME=" + hostname);
    if (opts.tty) set_env(p.env, "TERM=xterm");
    for (const auto& e : cfg.env) set_env(p.env, e);
    for (const auto& e : opts.env) {
        if (e.empty() || e[0] == '=' || e.find('=') == std::string::npos)
            return Error{"environment variable \"" + e + "\": want KEY=value"};
        set_env(p.env, e);
    }
    if (!has_env(p.env, "HOME")) set_env(p.env, "HOME=" + u->home);

    p.terminal = opts.tty;
    const auto& caps = default_capabilities();
    p.capabilities = oci::Capabilities{caps, caps, std::nullopt, caps, std::nullopt};
    // docker leaves rlimits to the daemon's and allows setuid binaries.
    p.rlimits.clear();
    p.no_new_privileges = false;
    if (opts.default_seccomp) spec.linux_->seccomp = default_seccomp(caps);

    spec.root = {"rootfs", opts.read_only};
    spec.hostname = hostname;

    for (const auto& v : opts.volumes) {
        if (v.source.empty() || v.source[0] != '/' || v.destination.empty() || v.destination[0] != '/')
            return Error{"volume " + v.source + ":" + v.destination + ": want /host:/container[:ro]"};
        oci::Mount m;
        m.destination = clean_abs(v.destination);
        m.type = "bind";
        m.source = v.source;
        m.options = {"rbind", v.read_only ? "ro" : "rw", "rprivate"};
        spec.mounts.push_back(std::move(m));
    }

    if (opts.network == "host") {
        auto& ns = spec.linux_->namespaces;
        std::erase_if(ns, [](const oci::Namespace& n) { return n.type == "network"; });
    } else if (opts.network != "none") {
        return Error{"--network " + opts.network + ": want none or host"};
    }

    if (opts.memory || opts.cpus || opts.pids_limit) {
        auto& r = spec.linux_->resources ? *spec.linux_->resources : spec.linux_->resources.emplace();
        if (opts.memory) {
            if (*opts.memory < 6 * 1024 * 1024)
                return Error{"--memory: minimum memory limit allowed is 6MB"};
            auto& m = r.memory ? *r.memory : r.memory.emplace();
            m.limit = *opts.memory;
            m.swap = *opts.memory * 2; // docker: swap defaults to twice the limit
        }
        if (opts.cpus) {
            if (*opts.cpus <= 0) return Error{"--cpus: must be a positive number"};
            auto& c = r.cpu ? *r.cpu : r.cpu.emplace();
            c.period = 100000;
            c.quota = int64_t(*opts.cpus * 100000);
        }
        if (opts.pids_limit && *opts.pids_limit > 0) r.pids = oci::Pids{*opts.pids_limit};
    }

    auto& a = spec.annotations;
    a[oci::kIsolationAnnotation] = oci::to_string(*iso);
    if (!opts.image_name.empty()) a[kImageAnnotation] = opts.image_name;
    a[kImageDigestAnnotation] = image.manifest_digest;
    if (!cfg.exposed_ports.empty()) a[kExposedPortsAnnotation] = join(cfg.exposed_ports, ",");
    if (!cfg.volumes.empty()) a[kVolumesAnnotation] = join(cfg.volumes, ",");
    if (!cfg.stop_signal.empty()) a[kStopSignalAnnotation] = cfg.stop_signal;
    for (const auto& [k, v] : opts.annotations) a[k] = v;
    return spec;
}

Result<VolumeMount> parse_volume(const std::string& text) {
    auto bad = [&] { return Error{"volume " + text + ": want /host:/container[:ro]"}; };
    std::vector<std::string> parts;
    size_t pos = 0;
    for (;;) {
        auto c = text.find(':', pos);
        parts.push_back(text.substr(pos, c == std::string::npos ? c : c - pos));
        if (c == std::string::npos) break;
        pos = c + 1;
    }
    if (parts.size() < 2 || parts.size() > 3) return bad();
    VolumeMount v{parts[0], parts[1], false};
    if (parts.size() == 3) {
        if (parts[2] == "ro") v.read_only = true;
        else if (parts[2] != "rw") return Error{"volume " + text + ": invalid mode \"" + parts[2] + "\" (want ro or rw)"};
    }
    if (v.source.empty() || v.source[0] != '/' || v.destination.empty() || v.destination[0] != '/') return bad();
    return v;
}

Result<void> write_config(const std::string& dir, const oci::Spec& spec) {
    // No fsync: like the container's record (runtime/skiff/containers/store.cpp), a bundle
    // made just before a crash may be lost with it; `start` then names the unreadable file.
    return fs::replace_file(dir + "/config.json", oci::dump_spec(spec) + "\n", 0600);
}

Result<Bundle> create_bundle(Store& store, const Image& image, const std::string& id,
                             const RunOptions& opts, const RootfsOptions& rootfs_opts) {
    auto rootfs = SKIFF_TRY(create_rootfs(store, image, id, rootfs_opts));
    auto made = [&]() -> Result<Bundle> {
        Bundle b;
        b.dir = rootfs.dir;
        b.rootfs = rootfs;
        b.spec = SKIFF_TRY(make_spec(image, id, rootfs.rootfs, opts));
        SKIFF_CHECK(make_workdir(rootfs.rootfs, b.spec.process->cwd));
        size_t defaults = b.spec.mounts.size() - opts.volumes.size();
        SKIFF_CHECK(add_etc_files(b.spec, b.dir, rootfs.rootfs, opts));
        SKIFF_CHECK(add_anonymous_volumes(b.spec, b.dir, rootfs.rootfs, image.config.volumes));
        sort_mounts(b.spec, defaults);
        SKIFF_CHECK(write_config(b.dir, b.spec));
        return b;
    }();
    if (!made) (void)remove_rootfs(store, id);
    return made;
}

} // namespace skiff::image
