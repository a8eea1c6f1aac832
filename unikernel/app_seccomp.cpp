#include "app_seccomp.hpp"

#include <asm/unistd_64.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

namespace skiff::vmm {
namespace {

constexpr size_t kMaxBytes = SKIFF_SECCOMP_MAX_INSNS * sizeof(skiff_bpf_insn);

// The syscalls the libOS serves with each path- or data-forwarding hypercall (libos/fs). A
// hypercall missing here is never refused: the libOS makes it for its own upkeep (clock
// calibration, page discards, closes) or for calls that need no host file access of their own.
struct HypercallUse {
    uint32_t hypercall;
    std::initializer_list<int> syscalls;
};
const HypercallUse kUses[] = {
    {SKIFF_HC_OPEN, {__NR_open, __NR_openat, __NR_openat2, __NR_creat}},
    {SKIFF_HC_STAT, {__NR_stat, __NR_lstat, __NR_newfstatat, __NR_statx, __NR_access,
                     __NR_faccessat, __NR_faccessat2, __NR_chdir}},
    {SKIFF_HC_READLINK, {__NR_readlink, __NR_readlinkat}},
    {SKIFF_HC_GETDENTS, {__NR_getdents, __NR_getdents64}},
    {SKIFF_HC_READ, {__NR_read, __NR_readv, __NR_pread64, __NR_preadv, __NR_preadv2,
                     __NR_sendfile, __NR_mmap}},
    {SKIFF_HC_PREAD, {__NR_read, __NR_readv, __NR_pread64, __NR_preadv, __NR_preadv2,
                      __NR_sendfile, __NR_mmap}},
    {SKIFF_HC_WRITE, {__NR_write, __NR_writev, __NR_pwrite64, __NR_pwritev, __NR_pwritev2,
                      __NR_sendfile}},
    {SKIFF_HC_PWRITE, {__NR_write, __NR_writev, __NR_pwrite64, __NR_pwritev, __NR_pwritev2,
                       __NR_sendfile}},
    {SKIFF_HC_TTY, {__NR_ioctl}},
};

bool valid_op(const skiff_bpf_insn& in, std::string& why) {
    switch (in.code) {
    case SKIFF_BPF_LD_W_ABS:
        if (in.k % 4 || in.k >= sizeof(skiff_seccomp_data)) return why = "load outside seccomp_data", false;
        return true;
    case SKIFF_BPF_LD_MEM: case SKIFF_BPF_LDX_MEM: case SKIFF_BPF_ST: case SKIFF_BPF_STX:
        if (in.k >= 16) return why = "scratch slot out of range", false;
        return true;
    case SKIFF_BPF_LD_W_LEN: case SKIFF_BPF_LDX_W_LEN: case SKIFF_BPF_LD_IMM: case SKIFF_BPF_LDX_IMM:
    case SKIFF_BPF_RET_K: case SKIFF_BPF_RET_A: case SKIFF_BPF_TAX: case SKIFF_BPF_TXA:
    case SKIFF_BPF_ALU_NEG: case SKIFF_BPF_JA:
        return true;
    default: break;
    }
    if (skiff_bpf_is_alu(in.code)) {
        const bool k = !(in.code & 0x08);
        if (k && (in.code & 0xf0) == 0x30 && in.k == 0) return why = "division by zero", false;
        if (k && ((in.code & 0xf0) == 0x60 || (in.code & 0xf0) == 0x70) && in.k >= 32)
            return why = "shift by 32 or more", false;
        return true;
    }
    if (skiff_bpf_is_jcond(in.code)) return true;
    return why = "opcode seccomp does not accept", false;
}

} // namespace

Result<AppSeccomp> make_app_seccomp(const void* bpf, size_t len, const std::string& what) {
    if (len == 0 || len % sizeof(skiff_bpf_insn) || len > kMaxBytes)
        return Error{what + ": " + std::to_string(len) + " bytes is not a BPF program of 1 to " +
                     std::to_string(SKIFF_SECCOMP_MAX_INSNS) + " instructions"};
    std::vector<skiff_bpf_insn> filter(len / sizeof(skiff_bpf_insn));
    std::memcpy(filter.data(), bpf, len);
    return make_app_seccomp(std::move(filter), what);
}

Result<AppSeccomp> make_app_seccomp(std::vector<skiff_bpf_insn> filter, const std::string& what) {
    AppSeccomp s;
    s.filter = std::move(filter);
    const size_t n = s.filter.size();
    for (size_t pc = 0; pc < n; ++pc) {
        const skiff_bpf_insn& in = s.filter[pc];
        std::string why;
        if (!valid_op(in, why))
            return Error{what + ": instruction " + std::to_string(pc) + ": " + why};
        const size_t rest = n - pc - 1;
        if ((in.code == SKIFF_BPF_JA && in.k >= rest) ||
            (skiff_bpf_is_jcond(in.code) && (in.jt >= rest || in.jf >= rest)))
            return Error{what + ": instruction " + std::to_string(pc) + ": jump out of the program"};
    }
    const uint16_t last = s.filter.back().code;
    if (last != SKIFF_BPF_RET_K && last != SKIFF_BPF_RET_A)
        return Error{what + ": the program does not end in a return"};

    s.action.fill(SKIFF_SECCOMP_UNKNOWN);
    return s;
}

uint32_t AppSeccomp::refusal(uint32_t hypercall) {
    if (hypercall >= SKIFF_HC_COUNT) return 0;
    if (known_[hypercall]) return refused_[hypercall];
    known_[hypercall] = true;
    for (const auto& use : kUses) {
        if (use.hypercall != hypercall) continue;
        uint32_t verdict = 0;
        for (int nr : use.syscalls) {
            uint32_t& v = action[static_cast<size_t>(nr)];
            if (v == SKIFF_SECCOMP_UNKNOWN) v = seccomp_verdict_of(*this, static_cast<uint32_t>(nr));
            if (seccomp_may_run(v)) return 0;
            if (!verdict) verdict = v;
        }
        // KILL_THREAD is 0: a refusal must still read as one, so it is kept as KILL_PROCESS.
        refused_[hypercall] = verdict ? verdict : SKIFF_SECCOMP_RET_KILL_PROCESS;
    }
    return refused_[hypercall];
}

uint32_t seccomp_verdict_of(const AppSeccomp& s, uint32_t nr) {
    skiff_seccomp_data d{};
    d.nr = static_cast<int32_t>(nr);
    d.arch = SKIFF_AUDIT_ARCH_X86_64;
    uint32_t touched = 0;
    const uint32_t r = skiff_bpf_run(s.filter.data(), static_cast<uint32_t>(s.filter.size()), &d, &touched);
    return (touched & ~3u) ? SKIFF_SECCOMP_EVAL : r; // it read more than nr and arch
}

Result<AppSeccomp> read_app_seccomp_fd(int fd) {
    // Exactly the program's size: every page a buffer touches costs a fault on this nested host.
    const std::string what = "--app-seccomp-fd " + std::to_string(fd);
    struct stat st{};
    if (::fstat(fd, &st) != 0) return errno_error(what + ": fstat");
    const auto len = static_cast<uint64_t>(st.st_size);
    if (len == 0 || len % sizeof(skiff_bpf_insn) || len > kMaxBytes)
        return Error{what + ": " + std::to_string(len) + " bytes is not a BPF program of 1 to " +
                     std::to_string(SKIFF_SECCOMP_MAX_INSNS) + " instructions"};
    std::vector<skiff_bpf_insn> filter(len / sizeof(skiff_bpf_insn));
    auto* p = reinterpret_cast<uint8_t*>(filter.data());
    for (size_t got = 0; got < len;) {
        ssize_t r = ::pread(fd, p + got, len - got, static_cast<off_t>(got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno_error(what + ": read");
        if (r == 0) return Error{what + ": shorter than its size"};
        got += static_cast<size_t>(r);
    }
    return make_app_seccomp(std::move(filter), "the app's seccomp program");
}

Result<AppSeccomp> read_app_seccomp_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("--app-seccomp: open " + path);
    auto s = read_app_seccomp_fd(fd);
    ::close(fd);
    return s;
}

Result<void> write_app_seccomp(const GuestMemory& mem, const AppSeccomp& s) {
    auto* g = mem.object<skiff_seccomp>(SKIFF_SECCOMP_ADDR);
    if (!g || SKIFF_SECCOMP_ADDR + sizeof(skiff_seccomp) > SKIFF_LIBOS_ADDR)
        return Error{"guest RAM has no room for the seccomp table"};
    g->insns = static_cast<uint32_t>(s.filter.size());
    std::memcpy(g->action, s.action.data(), sizeof g->action);
    std::memcpy(g->filter, s.filter.data(), s.filter.size() * sizeof(skiff_bpf_insn));
    return ok();
}

bool seccomp_may_run(uint32_t v) {
    if (v == SKIFF_SECCOMP_EVAL) return true;
    const uint32_t action = v & SKIFF_SECCOMP_RET_ACTION_FULL;
    return action == SKIFF_SECCOMP_RET_ALLOW || action == SKIFF_SECCOMP_RET_LOG;
}

int64_t refused_hypercall_result(uint32_t v) {
    switch (v & SKIFF_SECCOMP_RET_ACTION_FULL) {
    case SKIFF_SECCOMP_RET_ERRNO: {
        const uint32_t e = v & SKIFF_SECCOMP_RET_DATA;
        return -static_cast<int64_t>(e > 4095 ? 4095 : e);
    }
    case SKIFF_SECCOMP_RET_TRACE:
    case SKIFF_SECCOMP_RET_USER_NOTIF: return -ENOSYS;
    default: return kEndBySigsys;
    }
}

} // namespace skiff::vmm
