// The hypercall dispatch table. Each service file (files, stdio, time, exit) registers its
// handlers; dispatch() validates the request against guest RAM before any handler runs.
#pragma once

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "memory.hpp"
#include "skiff/abi.h"

namespace skiff::vmm {

struct AppSeccomp;

// Everything a handler may touch: guest RAM, the host fds the guest holds, and how the run ends.
struct Guest {
    const GuestMemory* mem = nullptr;
    int rootfs_fd = -1;
    std::vector<int> handles; // handle -> host fd, -1 when free; 0..2 are the VMM's stdio
    bool debug = false;
    bool trace = false; // --trace-hypercalls: one stderr line per hypercall
    uint64_t count = 0; // hypercalls served
    std::function<Result<void>(uint64_t)> set_fs_base; // empty in tests without a vCPU
    std::vector<std::pair<uint64_t, std::chrono::steady_clock::time_point>> marks;
    // The container's seccomp profile (app_seccomp.hpp): which hypercalls it refuses.
    AppSeccomp* seccomp = nullptr;

    std::optional<int> exit_status; // set when the guest is done
    std::string error;              // set when the guest broke the protocol: the VM stops

    bool stopped() const { return exit_status.has_value() || !error.empty(); }
    void fail(std::string message);
    void log(const std::string& line) const; // --debug only
};

// A handler gets the request already checked to lie in guest RAM; it returns ret (>= 0 or -errno).
using Handler = int64_t (*)(Guest&, void* request);

struct HypercallSpec {
    const char* name = nullptr;
    uint32_t request_size = 0;
    Handler fn = nullptr;
};

class Hypercalls {
public:
    void add(uint32_t nr, HypercallSpec spec) { table_.at(nr) = spec; }
    // An MMIO exit at `addr` in the hypercall window: `value` is the request's guest address.
    // Returns false once the guest stopped.
    bool dispatch(Guest& g, uint64_t addr, uint64_t value) const;
    const HypercallSpec* find(uint32_t nr) const {
        return nr < table_.size() && table_[nr].fn ? &table_[nr] : nullptr;
    }

private:
    std::array<HypercallSpec, SKIFF_HC_COUNT> table_{};
};

// Registration, one function per service file.
void register_exit_hypercalls(Hypercalls&);
void register_stdio_hypercalls(Hypercalls&);
void register_file_hypercalls(Hypercalls&);
void register_time_hypercalls(Hypercalls&);
void register_machine_hypercalls(Hypercalls&);

// The table with every service registered.
const Hypercalls& all_hypercalls();

// Guest buffer helpers: nullptr / empty when out of range (the handler then returns -EFAULT).
inline uint8_t* guest_buffer(const Guest& g, uint64_t gpa, uint64_t len) { return g.mem->span(gpa, len); }
// A path from the guest: at most 4095 bytes, no NUL inside.
std::optional<std::string> guest_path(const Guest& g, uint64_t gpa, uint64_t len);
// The host fd behind a guest handle, or -1.
int host_fd(const Guest& g, int64_t handle);

} // namespace skiff::vmm

namespace skiff::vmm {
// Opens `path` beneath the rootfs: absolute paths, "..", and symlinks all resolve inside it
// (openat2 RESOLVE_IN_ROOT), so no guest request can name a host file outside. fd or -errno.
int open_in_rootfs(int rootfs_fd, const std::string& path, int flags, unsigned mode = 0);
// The kernel's struct stat as the guest's skiff_stat.
void copy_stat(const struct stat& st, skiff_stat* out);
} // namespace skiff::vmm
