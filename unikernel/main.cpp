// skiff-vmm: boots the embedded libOS and one static x86-64 Linux binary from a rootfs in a KVM
// VM, and exits with the app's exit status. See unikernel/README.md for the command line.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "app_seccomp.hpp"
#include "cpu_x86_64.hpp"
#include "elf_loader.hpp"
#include "hypercalls/core.hpp"
#include "initial_stack.hpp"
#include "kvm/kvm_vm.hpp"
#include "seccomp.hpp"
#include "skiff/abi.h"
#include "vcpu.hpp"

extern "C" const uint8_t skiff_libos_image[];
extern "C" const uint8_t skiff_libos_image_end[];
extern "C" const uint8_t skiff_vmm_seccomp_bpf[];
extern "C" const uint8_t skiff_vmm_seccomp_bpf_end[];

namespace skiff::vmm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitVmmError = 125;  // the VMM could not run the guest
constexpr int kExitCannotExec = 126; // the app is not a binary vm mode can run
constexpr int kExitNotFound = 127;
constexpr uint64_t kStackSize = 8u << 20;

struct Options {
    std::string rootfs;
    int rootfs_fd = -1;
    int kvm_fd = -1;
    uint64_t memory_mib = 256;
    std::vector<std::string> env;
    std::string cwd = "/";
    uint32_t uid = 0, gid = 0;
    std::string hostname = "skiff";
    // KVM's supported-CPUID table, cached per kernel and CPU (see KvmVm::supported_cpuid): a host
    // path (opened before anything else) or an fd the runtime opened before pivot_root.
    std::string cpuid_cache;
    int cpuid_cache_fd = -1;
    // The container's seccomp profile as BPF (app_seccomp.hpp): a file, or an fd from the runtime.
    std::string app_seccomp;
    int app_seccomp_fd = -1;
    bool debug = false, timing = false, seccomp = true, count_hypercalls = false, memory_report = false,
         trace_hypercalls = false;
    int64_t t0_ns = -1; // CLOCK_MONOTONIC of the caller's exec, for --timing
    std::vector<std::string> argv;
};

const char kUsage[] =
    "usage: skiff-vmm (--rootfs DIR | --rootfs-fd N) [--kvm-fd N] [--memory MiB] [--env K=V]...\n"
    "                 [--cwd DIR] [--uid N] [--gid N] [--hostname NAME]\n"
    "                 [--cpuid-cache FILE | --cpuid-cache-fd N] [--app-seccomp FILE | --app-seccomp-fd N]\n"
    "                 [--debug] [--timing [--timing-t0 NS]] [--no-seccomp] [--count-hypercalls]\n"
    "                 [--memory-report] [--trace-hypercalls] -- PROGRAM [ARG]...\n";

template <class T>
bool parse_number(const std::string& s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    int i = 1;
    auto value = [&](const std::string& flag) -> Result<std::string> {
        if (i + 1 >= argc) return Error{flag + ": missing value"};
        return std::string(argv[++i]);
    };
    for (; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        bool good = true;
        if (a == "--rootfs") o.rootfs = SKIFF_TRY(value(a));
        else if (a == "--rootfs-fd") good = parse_number(SKIFF_TRY(value(a)), o.rootfs_fd);
        else if (a == "--kvm-fd") good = parse_number(SKIFF_TRY(value(a)), o.kvm_fd);
        else if (a == "--memory") good = parse_number(SKIFF_TRY(value(a)), o.memory_mib);
        else if (a == "--env") o.env.push_back(SKIFF_TRY(value(a)));
        else if (a == "--cwd") o.cwd = SKIFF_TRY(value(a));
        else if (a == "--uid") good = parse_number(SKIFF_TRY(value(a)), o.uid);
        else if (a == "--gid") good = parse_number(SKIFF_TRY(value(a)), o.gid);
        else if (a == "--hostname") o.hostname = SKIFF_TRY(value(a));
        else if (a == "--cpuid-cache") o.cpuid_cache = SKIFF_TRY(value(a));
        else if (a == "--cpuid-cache-fd") good = parse_number(SKIFF_TRY(value(a)), o.cpuid_cache_fd);
        else if (a == "--app-seccomp") o.app_seccomp = SKIFF_TRY(value(a));
        else if (a == "--app-seccomp-fd") good = parse_number(SKIFF_TRY(value(a)), o.app_seccomp_fd);
        else if (a == "--timing-t0") good = parse_number(SKIFF_TRY(value(a)), o.t0_ns);
        else if (a == "--debug") o.debug = true;
        else if (a == "--timing") o.timing = true;
        else if (a == "--no-seccomp") o.seccomp = false;
        else if (a == "--count-hypercalls") o.count_hypercalls = true;
        else if (a == "--memory-report") o.memory_report = true;
        else if (a == "--trace-hypercalls") o.trace_hypercalls = true;
        else if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else return Error{"unknown option " + a};
        if (!good) return Error{a + ": bad number " + argv[i]};
    }
    for (; i < argc; ++i) o.argv.emplace_back(argv[i]);
    if (o.argv.empty()) return Error{"no program given (… -- PROGRAM [ARG]...)"};
    if (o.rootfs.empty() == (o.rootfs_fd < 0)) return Error{"give exactly one of --rootfs and --rootfs-fd"};
    if (o.memory_mib < 16 || o.memory_mib > uint64_t{kMaxRamGiB} * 1024)
        return Error{"--memory: MiB from 16 to " + std::to_string(kMaxRamGiB * 1024)};
    o.memory_mib += o.memory_mib % 2; // guest RAM comes in 2 MiB pages
    if (o.hostname.size() > 64) return Error{"--hostname: longer than 64 bytes"};
    if (o.cwd.empty() || o.cwd[0] != '/' || o.cwd.size() > 255) return Error{"--cwd: not an absolute path"};
    return o;
}

struct Timeline {
    bool on = false;
    int64_t t0_ns = -1;
    Clock::time_point start = Clock::now();
    std::vector<std::pair<const char*, Clock::time_point>> points;
    void mark(const char* what) {
        if (on) points.emplace_back(what, Clock::now());
    }
    void print(const Guest& g) const {
        if (!on) return;
        auto us = [&](Clock::time_point t) {
            return std::chrono::duration<double, std::micro>(t - start).count();
        };
        const double exec_to_main =
            t0_ns >= 0 ? (std::chrono::duration<double, std::micro>(start.time_since_epoch()).count() -
                          static_cast<double>(t0_ns) / 1000.0)
                       : 0;
        std::fprintf(stderr, "skiff-vmm timing (µs since main%s):\n", t0_ns >= 0 ? ", exec→main first" : "");
        if (t0_ns >= 0) std::fprintf(stderr, "  %-22s %9.1f\n", "exec→main", exec_to_main);
        for (const auto& [what, t] : points) std::fprintf(stderr, "  %-22s %9.1f\n", what, us(t));
        for (const auto& [what, t] : g.marks)
            std::fprintf(stderr, "  %-22s %9.1f\n",
                         what == SKIFF_MARK_LIBOS_START ? "first guest instruction" : "app entry", us(t));
    }
};

// Peak RSS of the whole VMM process against the guest RAM pages resident now (touched by the
// guest or the loader, file pages of the app included): the difference is the VMM's own cost.
void report_memory(const GuestMemory& mem, std::vector<unsigned char>& resident) {
    uint64_t pages = 0;
    if (mincore(mem.host(), mem.size(), resident.data()) == 0)
        for (unsigned char r : resident) pages += r & 1;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const long guest_kib = static_cast<long>(pages * 4);
    std::fprintf(stderr,
                 "skiff-vmm: memory: peak RSS %ld KiB, guest RAM resident %ld KiB of %llu MiB, "
                 "VMM overhead %ld KiB\n",
                 ru.ru_maxrss, guest_kib, static_cast<unsigned long long>(mem.size() >> 20),
                 ru.ru_maxrss - guest_kib);
}

// The whole set-up, then the run. Returns the exit status.
Result<int> boot(Options& o, Timeline& tl, int& exit_on_error) {
    if (!o.cpuid_cache.empty() && o.cpuid_cache_fd < 0)
        o.cpuid_cache_fd = open(o.cpuid_cache.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); // best effort
    int rootfs = o.rootfs_fd;
    if (rootfs < 0) {
        rootfs = open(o.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfs < 0) return errno_error("open rootfs " + o.rootfs);
    }
    // The app: an absolute path, a path relative to --cwd, or a bare name looked up in the usual
    // bin directories (the runtime normally resolves it against the container PATH first).
    std::string exe = o.argv[0];
    if (exe.find('/') == std::string::npos)
        for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
            int fd = open_in_rootfs(rootfs, dir + exe, O_PATH);
            if (fd >= 0) {
                close(fd);
                exe = dir + exe;
                break;
            }
        }
    if (exe[0] != '/') exe = o.cwd + "/" + exe;
    const int app_fd = open_in_rootfs(rootfs, exe, O_RDONLY);
    if (app_fd < 0) {
        exit_on_error = -app_fd == ENOENT ? kExitNotFound : kExitCannotExec;
        return errno_error("open " + exe + " in the rootfs", -app_fd);
    }
    tl.mark("rootfs and app opened");
    std::optional<AppSeccomp> profile;
    if (o.app_seccomp_fd >= 0) {
        profile = SKIFF_TRY(read_app_seccomp_fd(o.app_seccomp_fd));
        close(o.app_seccomp_fd);
    } else if (!o.app_seccomp.empty()) {
        profile = SKIFF_TRY(read_app_seccomp_file(o.app_seccomp));
    }
    if (profile) tl.mark("seccomp profile read");

    GuestMemory mem = SKIFF_TRY(GuestMemory::create(o.memory_mib << 20));
    KvmVm vm = SKIFF_TRY(KvmVm::create(o.kvm_fd, mem));
    tl.mark("VM and vCPU created");

    // The libOS: a flat image linked at SKIFF_LIBOS_ADDR whose header says where its parts are.
    const uint64_t libos_size = static_cast<uint64_t>(skiff_libos_image_end - skiff_libos_image);
    if (libos_size < sizeof(skiff_libos_header) || libos_size > SKIFF_LIBOS_LIMIT - SKIFF_LIBOS_ADDR)
        return Error{"embedded libOS image has a bad size"};
    skiff_libos_header hdr;
    std::memcpy(&hdr, skiff_libos_image, sizeof hdr);
    if (hdr.magic != SKIFF_LIBOS_MAGIC || hdr.abi_version != SKIFF_ABI_VERSION ||
        hdr.bss_end > SKIFF_LIBOS_LIMIT)
        return Error{"embedded libOS image has a bad header"};
    mem.write(SKIFF_LIBOS_ADDR, skiff_libos_image, libos_size);

    exit_on_error = kExitCannotExec;
    LoadedElf elf = SKIFF_TRY(load_elf(app_fd, exe, mem, SKIFF_LIBOS_LIMIT, mem.size() - kStackSize,
                                       SKIFF_PIE_BASE));
    close(app_fd);
    exit_on_error = kExitVmmError;
    tl.mark("app loaded");

    StackSpec spec;
    spec.argv = o.argv;
    spec.envp = o.env;
    spec.execfn = exe;
    spec.phdr = elf.phdr, spec.phent = elf.phent, spec.phnum = elf.phnum, spec.entry = elf.entry;
    spec.uid = o.uid, spec.gid = o.gid;
    // AT_RANDOM and the libOS's pool for the app's first getrandom calls, in one host call.
    uint8_t random[16 + sizeof(skiff_boot_info::random_pool)];
    if (getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random))
        return errno_error("getrandom");
    std::memcpy(spec.random.data(), random, spec.random.size());

    CpuLayout layout{hdr.ring0_start, hdr.ring0_end, hdr.syscall_entry, hdr.fault_stubs,
                     hdr.fault_stub_size};
    SKIFF_CHECK(write_cpu_tables(mem, layout));
    const auto* cpuid = SKIFF_TRY(vm.supported_cpuid(o.cpuid_cache_fd));
    tl.mark("CPUID fetched");
    spec.hwcap = SKIFF_TRY(setup_vcpu(vm.vcpu_fd(), *cpuid, layout, hdr.entry, SKIFF_BOOT_INFO_ADDR + 4096,
                                      SKIFF_BOOT_INFO_ADDR));
    const uint64_t rsp = SKIFF_TRY(build_initial_stack(mem, mem.size(), mem.size() - kStackSize, spec));

    auto* boot = mem.object<skiff_boot_info>(SKIFF_BOOT_INFO_ADDR);
    boot->magic = SKIFF_BOOT_MAGIC;
    boot->abi_version = SKIFF_ABI_VERSION;
    boot->flags = (o.debug ? SKIFF_BOOT_DEBUG : 0) | (o.timing ? SKIFF_BOOT_TIMING : 0) |
                  (profile ? SKIFF_BOOT_SECCOMP : 0);
    if (profile) SKIFF_CHECK(write_app_seccomp(mem, *profile));
    boot->ram_size = mem.size();
    boot->app_entry = elf.entry;
    boot->app_stack = rsp;
    boot->brk_start = elf.end;
    boot->mmap_low = elf.end;
    boot->mmap_high = mem.size() - kStackSize;
    boot->uid = o.uid, boot->gid = o.gid;
    boot->hwcap = spec.hwcap;
    std::snprintf(boot->hostname, sizeof boot->hostname, "%s", o.hostname.c_str());
    std::snprintf(boot->exe, sizeof boot->exe, "%s", exe.c_str());
    std::snprintf(boot->cwd, sizeof boot->cwd, "%s", o.cwd.c_str());
    std::memcpy(boot->random_pool, random + 16, sizeof boot->random_pool);
    boot->random_len = sizeof boot->random_pool;
    for (int h = 0; h < 3; ++h) {
        struct stat st;
        if (fstat(h, &st) != 0) continue;
        copy_stat(st, &boot->stdio_stat[h]);
        boot->stdio_stat_valid |= 1u << h;
        if (S_ISCHR(st.st_mode) && isatty(h)) boot->stdio_tty |= 1u << h;
    }
    const GuestClock clock = SKIFF_TRY(sample_guest_clock(vm.vcpu_fd()));
    boot->clock_tsc = clock.tsc;
    boot->clock_mono_ns = clock.mono_ns, boot->clock_real_ns = clock.real_ns;
    boot->tsc_khz = clock.khz;
    tl.mark("vCPU ready");

    Guest g;
    g.mem = &mem;
    g.rootfs_fd = rootfs;
    g.handles = {0, 1, 2};
    g.debug = o.debug;
    g.trace = o.trace_hypercalls;
    if (profile) g.seccomp = &*profile;
    const int vcpu_fd = vm.vcpu_fd();
    g.set_fs_base = [vcpu_fd](uint64_t base) { return set_fs_base(vcpu_fd, base); };
    std::vector<unsigned char> resident; // --memory-report: allocated now, filled after the run
    if (o.memory_report) resident.resize(mem.size() / 4096);
    forward_signals_to_guest();
    if (o.seccomp)
        SKIFF_CHECK(load_vmm_filter(skiff_vmm_seccomp_bpf,
                                    static_cast<size_t>(skiff_vmm_seccomp_bpf_end - skiff_vmm_seccomp_bpf)));
    tl.mark("seccomp loaded");
    const SignalRoute route{SKIFF_BOOT_INFO_ADDR, SKIFF_LIBOS_ADDR, hdr.bss_end, hdr.signal_entry};
    auto status = run_vcpu(vm, g, all_hypercalls(), route);
    tl.print(g);
    if (o.count_hypercalls) std::fprintf(stderr, "skiff-vmm: hypercalls: %llu\n", static_cast<unsigned long long>(g.count));
    if (o.memory_report) report_memory(mem, resident);
    return status;
}

} // namespace
} // namespace skiff::vmm

int main(int argc, char** argv) {
    using namespace skiff::vmm;
    auto opts = parse_options(argc, argv);
    if (!opts) {
        std::fprintf(stderr, "skiff-vmm: %s (see skiff-vmm --help)\n", opts.error().message.c_str());
        return 2;
    }
    Timeline tl;
    tl.on = opts->timing;
    tl.t0_ns = opts->t0_ns;
    int exit_on_error = kExitVmmError;
    auto status = boot(*opts, tl, exit_on_error);
    std::fflush(stdout);
    if (!status) {
        std::fprintf(stderr, "skiff-vmm: %s\n", status.error().message.c_str());
        _exit(exit_on_error);
    }
    // _exit: tearing down guest RAM and the VM is the kernel's job; destructors would only add
    // munmap time after the app is already done.
    _exit(*status);
}
