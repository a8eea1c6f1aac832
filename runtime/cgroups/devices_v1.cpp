// cgroup v1 devices. The kernel keeps a default (allow or deny everything) and a list of
// exceptions; each write to devices.allow or devices.deny changes them. As runc's emulator
// does, the rules are first played on a model of that state, starting from "deny everything",
// which gives the target; the target is then reached from the current state (devices.list)
// with the fewest writes. So an allow dropped from the rules is denied again on update, and a
// running container never passes through "everything denied", as replaying "deny all, then
// allow ..." would make it.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <tuple>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {
namespace {

struct DevKey {
    char type; // 'c' or 'b'
    int64_t major, minor; // -1: any
    // Writes go out in this order: by number, then c before b (the order rules are written in
    // when a partial "a" rule is split).
    bool operator<(const DevKey& o) const {
        return std::tie(major, minor, o.type) < std::tie(o.major, o.minor, type);
    }
};

struct DevState {
    bool allow_default = false;
    bool exceptions_known = true; // devices.list hides a blacklist's exceptions
    std::map<DevKey, unsigned> exceptions; // access bits: m=1 r=2 w=4
};

// The kernel's semantics of one write: "a" resets, a rule of the default's kind removes
// access from the exact exception, the other kind adds to it.
void play(DevState& s, bool allow, char type, int64_t major, int64_t minor, unsigned access) {
    if (type == 'a' && major < 0 && minor < 0 && access == 7) {
        s.allow_default = allow;
        s.exceptions.clear();
        return;
    }
    // A partial "a" rule is the c and the b rule (set_devices_v1 writes both).
    for (char t : type == 'a' ? std::string("cb") : std::string(1, type)) {
        DevKey k{t, major, minor};
        if (allow == s.allow_default) {
            auto it = s.exceptions.find(k);
            if (it == s.exceptions.end()) continue;
            it->second &= ~access;
            if (!it->second) s.exceptions.erase(it);
        } else {
            s.exceptions[k] |= access;
        }
    }
}

Result<DevState> parse_devices_list(const std::string& text, const std::string& path) {
    DevState s;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string line = text.substr(pos, end == std::string::npos ? end : end - pos);
        pos = end == std::string::npos ? text.size() : end + 1;
        if (line.empty()) continue;
        char type = line[0];
        size_t colon = line.find(':'), space = line.find(' ', 2);
        if ((type != 'a' && type != 'b' && type != 'c') || line.size() < 7 || line[1] != ' ' ||
            colon == std::string::npos || space == std::string::npos || colon > space)
            return Error{path + ": unexpected line \"" + line + "\""};
        auto number = [&](size_t from, size_t to, int64_t& out) {
            if (to - from == 1 && line[from] == '*') return (out = -1), true;
            auto r = std::from_chars(line.data() + from, line.data() + to, out);
            return r.ec == std::errc() && r.ptr == line.data() + to;
        };
        int64_t major = -1, minor = -1;
        if (!number(2, colon, major) || !number(colon + 1, space, minor))
            return Error{path + ": unexpected line \"" + line + "\""};
        unsigned access = 0;
        for (char ch : line.substr(space + 1))
            access |= ch == 'm' ? 1 : ch == 'r' ? 2 : ch == 'w' ? 4 : 0;
        if (type == 'a') { // only ever "a *:* rwm": blacklist mode, exceptions not shown
            s.allow_default = true;
            s.exceptions_known = false;
            s.exceptions.clear();
            continue;
        }
        s.exceptions[{type, major, minor}] |= access;
    }
    return s;
}

std::string line_of(const DevKey& k, unsigned access) {
    std::string acc;
    if (access & 2) acc += 'r';
    if (access & 4) acc += 'w';
    if (access & 1) acc += 'm';
    return std::string(1, k.type) + " " + (k.major < 0 ? "*" : std::to_string(k.major)) + ":" +
           (k.minor < 0 ? "*" : std::to_string(k.minor)) + " " + acc;
}

// devices.allow or devices.deny, opened once for all the rules (a default config has 15): the
// kernel takes each write(2) as one rule. Each ends in a newline, which the kernel accepts, so
// that a plain file (tests) lists them in order.
class RuleFile {
public:
    explicit RuleFile(std::string path) : path_(std::move(path)) {}
    RuleFile(const RuleFile&) = delete;
    RuleFile& operator=(const RuleFile&) = delete;
    ~RuleFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    Result<void> write(const std::string& rule, const std::string& field) {
        if (fd_ < 0) fd_ = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd_ < 0) return Error{field + ": open " + path_ + ": " + std::strerror(errno), errno};
        const std::string line = rule + "\n";
        ssize_t n;
        do n = ::write(fd_, line.data(), line.size());
        while (n < 0 && errno == EINTR);
        if (n != static_cast<ssize_t>(line.size())) {
            int err = n < 0 ? errno : EIO;
            return Error{field + ": write " + path_ + " \"" + rule + "\": " + std::strerror(err), err};
        }
        return ok();
    }

private:
    std::string path_;
    int fd_ = -1;
};

} // namespace

Result<void> set_devices_v1(const std::string& dir, const std::vector<oci::DeviceRule>& rules,
                            bool creating) {
    auto norm = SKIFF_TRY(normalize_device_rules(rules));
    DevState target;
    for (const auto& r : norm) play(target, r.allow, r.type, r.major, r.minor, r.access);

    // A cgroup being created holds only what it inherited: reset it rather than read it.
    DevState current;
    current.exceptions_known = false;
    if (!creating) {
        const std::string list = join(dir, "devices.list");
        current = SKIFF_TRY(parse_devices_list(SKIFF_TRY(read_file(list)), list));
    }

    RuleFile allow(join(dir, "devices.allow")), deny(join(dir, "devices.deny"));
    RuleFile& grant = target.allow_default ? deny : allow; // adds an exception
    RuleFile& revoke = target.allow_default ? allow : deny;
    const char* field = "linux.resources.devices";
    if (!current.exceptions_known || current.allow_default != target.allow_default) {
        SKIFF_CHECK((target.allow_default ? allow : deny).write("a", field));
        current.allow_default = target.allow_default;
        current.exceptions.clear();
    }
    // Additions first: access the container keeps is never taken away in between.
    for (const auto& [k, bits] : target.exceptions) {
        auto it = current.exceptions.find(k);
        unsigned gained = bits & ~(it == current.exceptions.end() ? 0u : it->second);
        if (gained) SKIFF_CHECK(grant.write(line_of(k, gained), field));
    }
    for (const auto& [k, bits] : current.exceptions) {
        auto it = target.exceptions.find(k);
        unsigned dropped = bits & ~(it == target.exceptions.end() ? 0u : it->second);
        if (dropped) SKIFF_CHECK(revoke.write(line_of(k, dropped), field));
    }
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
