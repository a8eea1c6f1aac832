#include "hypercalls/core.hpp"

#include "app_seccomp.hpp"

#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace skiff::vmm {

void Guest::fail(std::string message) {
    if (error.empty()) error = std::move(message);
}

void Guest::log(const std::string& line) const {
    if (!debug) return;
    std::string out = "skiff-vmm: " + line + "\n";
    (void)!::write(2, out.data(), out.size());
}

bool Hypercalls::dispatch(Guest& g, uint64_t addr, uint64_t value) const {
    const uint64_t off = addr - SKIFF_HC_MMIO_BASE;
    const HypercallSpec* spec =
        addr >= SKIFF_HC_MMIO_BASE && off % 8 == 0 && off / 8 < SKIFF_HC_COUNT ? find(static_cast<uint32_t>(off / 8)) : nullptr;
    if (!spec) {
        std::ostringstream m;
        m << "guest made unknown hypercall at 0x" << std::hex << addr;
        g.fail(m.str());
        return false;
    }
    // The request itself must be whole, aligned guest memory; a guest that cannot even say where
    // its request is has broken the protocol, so the VM stops rather than guess.
    void* req = (value % 8 == 0) ? g.mem->span(value, spec->request_size) : nullptr;
    if (!req) {
        std::ostringstream m;
        m << "guest hypercall " << spec->name << ": request at 0x" << std::hex << value
          << " is not inside guest RAM";
        g.fail(m.str());
        return false;
    }
    ++g.count;
    const uint32_t nr = static_cast<uint32_t>(off / 8);
    if (const uint32_t verdict = g.seccomp ? g.seccomp->refusal(nr) : 0) {
        // The profile blocks every syscall that could have asked for this: the libOS answers
        // them itself, so only a guest going around it gets here.
        const int64_t r = refused_hypercall_result(verdict);
        g.log(std::string("hypercall ") + spec->name + " refused by the seccomp profile");
        if (r == kEndBySigsys) {
            g.exit_status = 128 + SIGSYS;
            return false;
        }
        *static_cast<int64_t*>(req) = r;
        return true;
    }
    const int64_t ret = spec->fn(g, req);
    *static_cast<int64_t*>(req) = ret;
    if (g.trace) {
        char line[96];
        const int n = std::snprintf(line, sizeof line, "skiff-vmm: hypercall %s = %lld\n", spec->name,
                                    static_cast<long long>(ret));
        if (n > 0) (void)!::write(2, line, std::min<size_t>(size_t(n), sizeof line - 1));
    }
    return !g.stopped();
}

std::optional<std::string> guest_path(const Guest& g, uint64_t gpa, uint64_t len) {
    if (len == 0 || len > 4095) return std::nullopt;
    const uint8_t* p = guest_buffer(g, gpa, len);
    if (!p) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(p), len);
    if (s.find('\0') != std::string::npos) return std::nullopt;
    return s;
}

int host_fd(const Guest& g, int64_t handle) {
    if (handle < 0 || static_cast<uint64_t>(handle) >= g.handles.size()) return -1;
    return g.handles[static_cast<size_t>(handle)];
}

const Hypercalls& all_hypercalls() {
    static const Hypercalls table = [] {
        Hypercalls h;
        register_exit_hypercalls(h);
        register_stdio_hypercalls(h);
        register_file_hypercalls(h);
        register_time_hypercalls(h);
        register_machine_hypercalls(h);
        return h;
    }();
    return table;
}

} // namespace skiff::vmm
