// The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, written in its directory and
// bind-mounted over the image's, as dockerd does (moby container.NetworkMounts, libnetwork's
// etchosts and resolvconf packages). They live outside the rootfs so the image's own files stay
// untouched and a --read-only root still gets them.
#include <fcntl.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "fs.hpp"
#include "skiff/oci/image/bundle.hpp"

namespace skiff::image {
namespace {

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        pos = line.find_first_not_of(" \t\r", pos);
        if (pos == std::string::npos) return out;
        auto end = line.find_first_of(" \t\r", pos);
        out.push_back(line.substr(pos, end - pos));
        if (end == std::string::npos) return out;
        pos = end;
    }
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

enum class Family { Invalid, V4, V6 };

// "fe80::1%eth0" is a valid nameserver: the zone is not part of the address.
Family family_of(const std::string& addr, bool* loopback) {
    std::string a = addr.substr(0, addr.find('%'));
    unsigned char buf[16];
    if (::inet_pton(AF_INET, a.c_str(), buf) == 1) {
        *loopback = buf[0] == 127;
        return Family::V4;
    }
    if (::inet_pton(AF_INET6, a.c_str(), buf) == 1) {
        static const unsigned char kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        *loopback = std::equal(buf, buf + 16, kLoop6);
        return Family::V6;
    }
    return Family::Invalid;
}

// Where `dest` lands once the image's symlinks are followed inside the rootfs; nullopt when a
// link climbs above the root (it points outside the image) or links loop. Every step reads a
// link or a plain name below rootfs without following anything on the host.
std::optional<std::string> resolve_in_rootfs(const std::string& rootfs, const std::string& dest) {
    std::vector<std::string> todo, done;
    auto push_path = [&](const std::string& p) {
        std::vector<std::string> parts;
        size_t pos = 0;
        while (pos <= p.size()) {
            auto s = p.find('/', pos);
            if (s == std::string::npos) s = p.size();
            if (s > pos) parts.push_back(p.substr(pos, s - pos));
            pos = s + 1;
        }
        todo.insert(todo.end(), parts.rbegin(), parts.rend());
    };
    push_path(dest);
    int links = 0;
    while (!todo.empty()) {
        std::string c = std::move(todo.back());
        todo.pop_back();
        if (c == ".") continue;
        if (c == "..") {
            if (done.empty()) return std::nullopt;
            done.pop_back();
            continue;
        }
        std::string host = rootfs;
        for (const auto& d : done) host += "/" + d;
        host += "/" + c;
        char buf[4096];
        ssize_t n = ::readlink(host.c_str(), buf, sizeof buf);
        if (n <= 0) {
            done.push_back(c);
            continue;
        }
        if (++links > 40) return std::nullopt;
        std::string target(buf, size_t(n));
        if (target[0] == '/') done.clear();
        push_path(target);
    }
    std::string out;
    for (const auto& d : done) out += "/" + d;
    return out.empty() ? "/" : out;
}

bool under(const std::string& path, const std::string& dir) {
    return path == dir || path.rfind(dir + "/", 0) == 0;
}

Result<void> write_new(const std::string& path, const std::string& text) {
    // No fsync: the files are made again with the container, never read back by skiff.
    fs::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) return errno_error("create " + path);
    return fs::write_all(fd.get(), text.data(), text.size(), path);
}

} // namespace

std::string hosts_file(const std::string& hostname, const std::string& address) {
    std::string out = "127.0.0.1\tlocalhost\n"
                      "::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "fe00::\tip6-localnet\n"
                      "ff00::\tip6-mcastprefix\n"
                      "ff02::1\tip6-allnodes\n"
                      "ff02::2\tip6-allrouters\n";
    if (!hostname.empty()) {
        // docker lists "fqdn short" when the hostname has a domain.
        std::string names = hostname;
        if (auto dot = hostname.find('.'); dot != std::string::npos) names += " " + hostname.substr(0, dot);
        out += address + "\t" + names + "\n";
    }
    return out;
}

std::string resolv_conf_file(const std::string& host_text, const std::string& source, bool host_network) {
    std::vector<std::string> nameservers, search, options, other, invalid;
    for (const auto& line : lines(host_text)) {
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        auto w = words(line);
        if (w.empty()) continue;
        if (w[0] == "nameserver") {
            if (w.size() < 2) continue;
            bool loopback = false;
            Family f = family_of(w[1], &loopback);
            if (f == Family::Invalid) invalid.push_back(w[1]);
            // Private network namespace without IPv6: the host's loopback resolvers (systemd's
            // 127.0.0.53, a local dnsmasq) and IPv6 ones are unreachable from inside.
            else if (host_network || (!loopback && f == Family::V4)) nameservers.push_back(w[1]);
        } else if (w[0] == "search" || w[0] == "domain") {
            if (w.size() >= 2) search.assign(w.begin() + 1, w.end()); // the last one wins
        } else if (w[0] == "options") {
            options.insert(options.end(), w.begin() + 1, w.end());
        } else {
            other.push_back(line);
        }
    }
    bool defaults = !host_network && nameservers.empty();
    if (defaults) nameservers = {"8.8.8.8", "8.8.4.4"};

    std::string out = "# Generated by skiff from the host's " + source + ".\n\n";
    for (const auto& n : nameservers) out += "nameserver " + n + "\n";
    auto list = [&](const char* key, const std::vector<std::string>& v) {
        if (v.empty()) return;
        out += key;
        for (const auto& x : v) out += " " + x;
        out += "\n";
    };
    list("search", search);
    list("options", options);
    for (const auto& o : other) out += o + "\n";
    if (defaults) out += "\n# No nameserver of the host is reachable from the container: docker's defaults.\n";
    if (!invalid.empty()) list("\n# Invalid nameservers:", invalid);
    return out;
}

Result<void> add_etc_files(oci::Spec& spec, const std::string& dir, const std::string& rootfs,
                           const RunOptions& opts, const HostFiles& host) {
    const bool host_net = opts.network == "host";
    std::string resolv_source = host.resolv_conf;
    auto resolv = fs::read_file(resolv_source, 1 << 20);
    // systemd-resolved's stub (127.0.0.53 alone) is useless in a container; its upstream list is.
    if (resolv) {
        std::vector<std::string> ns;
        for (const auto& l : lines(*resolv))
            if (auto w = words(l); w.size() >= 2 && w[0] == "nameserver") ns.push_back(w[1]);
        if (ns == std::vector<std::string>{"127.0.0.53"}) {
            if (auto alt = fs::read_file(host.systemd_resolv_conf, 1 << 20)) {
                resolv = std::move(alt);
                resolv_source = host.systemd_resolv_conf;
            }
        }
    } else if (resolv.error().code != ENOENT) {
        return resolv.error().wrap("host resolv.conf");
    }

    std::string hosts;
    if (host_net) {
        auto h = fs::read_file(host.hosts, 1 << 20);
        if (!h && h.error().code != ENOENT) return h.error().wrap("host hosts file");
        hosts = h ? *h : hosts_file("", "");
    } else {
        hosts = hosts_file(spec.hostname, "127.0.1.1");
    }

    struct File {
        const char* name;
        std::string text;
    };
    const File files[] = {
        {"resolv.conf", resolv_conf_file(resolv ? *resolv : "", resolv_source, host_net)},
        {"hostname", spec.hostname + "\n"},
        {"hosts", std::move(hosts)},
    };
    for (const auto& f : files) {
        std::string dest = std::string("/etc/") + f.name;
        // A -v on the same path is the user's choice, as in docker.
        bool covered = false;
        for (const auto& m : spec.mounts) covered |= m.destination == dest;
        if (covered) continue;
        // An image whose /etc/hosts links out of its root, or into a kernel file system the
        // runtime mounts, gets no file: binding there would not be what the image meant.
        auto landed = resolve_in_rootfs(rootfs, dest);
        if (!landed || under(*landed, "/proc") || under(*landed, "/sys") || under(*landed, "/dev"))
            continue;
        std::string source = dir + "/" + f.name;
        SKIFF_CHECK(write_new(source, f.text));
        spec.mounts.push_back({dest, "bind", source, {"rbind", "rprivate", opts.read_only ? "ro" : "rw"}, {}, {}});
    }
    return ok();
}

} // namespace skiff::image
