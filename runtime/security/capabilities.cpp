// process.capabilities with libcap: bounding set, then the exact effective/permitted/inheritable
// sets, then ambient. Names follow runc 1.1: a name this kernel does not know (made up, or newer
// than the kernel) is skipped, not an error; the caller warns once via unknown_capabilities.
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cerrno>

#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

constexpr int kMaxCaps = 64; // the kernel ABI holds capabilities in two 32-bit words

// Capability names of the running kernel, indexed by number; built once per process.
const std::vector<std::string>& kernel_cap_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        int count = static_cast<int>(cap_max_bits()); // cap_last_cap + 1, probed by libcap
        for (int v = 0; v < count && v < kMaxCaps; ++v) {
            char* raw = cap_to_name(static_cast<cap_value_t>(v));
            std::string name = raw ? raw : "";
            cap_free(raw);
            // libcap prints caps it has no name for as a bare number; those cannot be named in a
            // config, so leave them out.
            if (name.rfind("cap_", 0) != 0) name.clear();
            for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            out.push_back(std::move(name));
        }
        return out;
    }();
    return names;
}

int cap_number(const std::string& name) {
    const auto& names = kernel_cap_names();
    for (size_t v = 0; v < names.size(); ++v)
        if (!names[v].empty() && names[v] == name) return static_cast<int>(v);
    return -1;
}

using CapBits = std::bitset<kMaxCaps>;

CapBits cap_bits(const std::optional<std::vector<std::string>>& set) {
    CapBits bits;
    if (!set) return bits; // absent = empty, as runc does
    for (const auto& name : *set) {
        int v = cap_number(name);
        if (v >= 0) bits.set(static_cast<size_t>(v));
    }
    return bits;
}

} // namespace

std::vector<std::string> known_capabilities() {
    std::vector<std::string> out;
    for (const auto& name : kernel_cap_names())
        if (!name.empty()) out.push_back(name);
    return out;
}

std::vector<std::string> unknown_capabilities(const oci::Capabilities& caps) {
    std::vector<std::string> out;
    for (const auto* set : {&caps.bounding, &caps.effective, &caps.inheritable, &caps.permitted,
                            &caps.ambient}) {
        if (!*set) continue;
        for (const auto& name : **set)
            if (cap_number(name) < 0) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<void> drop_bounding(const oci::Capabilities& caps) {
    CapBits keep = cap_bits(caps.bounding);
    int count = static_cast<int>(kernel_cap_names().size());
    for (int v = 0; v < count; ++v) {
        if (keep.test(static_cast<size_t>(v))) continue;
        // Dropping an absent capability succeeds, so one syscall per capability; only a
        // failure (no CAP_SETPCAP) is worth a second look: already gone is fine.
        if (cap_drop_bound(static_cast<cap_value_t>(v)) != 0) {
            int err = errno;
            if (cap_get_bound(static_cast<cap_value_t>(v)) == 0) continue;
            const auto& name = kernel_cap_names()[static_cast<size_t>(v)];
            return errno_error("prctl(PR_CAPBSET_DROP, " +
                                   (name.empty() ? std::to_string(v) : name) + ")",
                               err);
        }
    }
    return ok();
}

Result<void> apply_capabilities(const oci::Capabilities& caps) {
    const CapBits effective = cap_bits(caps.effective), permitted = cap_bits(caps.permitted),
                  inheritable = cap_bits(caps.inheritable), ambient = cap_bits(caps.ambient);

    std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> state(cap_init(), cap_free);
    if (!state) return errno_error("cap_init");
    std::vector<cap_value_t> e, p, i;
    for (int v = 0; v < kMaxCaps; ++v) {
        auto cv = static_cast<cap_value_t>(v);
        if (effective.test(static_cast<size_t>(v))) e.push_back(cv);
        if (permitted.test(static_cast<size_t>(v))) p.push_back(cv);
        if (inheritable.test(static_cast<size_t>(v))) i.push_back(cv);
    }
    if ((!e.empty() && cap_set_flag(state.get(), CAP_EFFECTIVE, static_cast<int>(e.size()),
                                    e.data(), CAP_SET) != 0) ||
        (!p.empty() && cap_set_flag(state.get(), CAP_PERMITTED, static_cast<int>(p.size()),
                                    p.data(), CAP_SET) != 0) ||
        (!i.empty() && cap_set_flag(state.get(), CAP_INHERITABLE, static_cast<int>(i.size()),
                                    i.data(), CAP_SET) != 0))
        return errno_error("cap_set_flag");
    if (cap_set_proc(state.get()) != 0) {
        int err = errno;
        std::string why;
        if (err == EPERM)
            why = " (effective must be within permitted, and permitted/inheritable within what"
                  " the process still holds)";
        return Error{"capset (effective " + std::to_string(e.size()) + ", permitted " +
                         std::to_string(p.size()) + ", inheritable " + std::to_string(i.size()) +
                         " capabilities): " + std::strerror(err) + why,
                     err};
    }

    // The kernel only lets a capability into the ambient set when it is both permitted and
    // inheritable; others are skipped (runc only warns about them).
    if (cap_reset_ambient() != 0 && errno != EINVAL) // EINVAL: kernel without ambient caps
        return errno_error("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    const CapBits raise = ambient & permitted & inheritable;
    for (int v = 0; v < kMaxCaps; ++v) {
        if (!raise.test(static_cast<size_t>(v))) continue;
        if (cap_set_ambient(static_cast<cap_value_t>(v), CAP_SET) != 0)
            return errno_error("prctl(PR_CAP_AMBIENT_RAISE, " +
                               kernel_cap_names()[static_cast<size_t>(v)] + ")");
    }
    return ok();
}

} // namespace skiff::runtime::security
