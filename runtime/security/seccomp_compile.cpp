// linux.seccomp -> BPF with libseccomp, following runc's translation: SCMP_ACT_KILL is
// kill-thread, ERRNO and TRACE default to EPERM, a rule whose action equals the default is
// dropped, a syscall name libseccomp does not know is skipped, and conditions on the same
// argument index become separate rules (libseccomp ANDs conditions within one rule, so
// "arg0 == 1 || arg0 == 2" can only be written as two rules). Each architecture gets its own
// libseccomp program (see seccomp_arch_dispatch.cpp for why).
// Compiling touches no process state, so the parent does it before the child needs it.
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string_view>

#include "security/seccomp_bpf.hpp"
#include "security/seccomp_names.hpp"
#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

constexpr unsigned kMaxSyscallArgs = 6;
// libseccomp <= 2.5.4 mis-builds a binary tree with no rules; runc's threshold.
constexpr size_t kBinaryTreeThreshold = 32;

struct FilterDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterDeleter>;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

Result<uint32_t> resolve_action(const std::string& name, const std::optional<uint32_t>& errno_ret,
                                const std::string& where) {
    const auto* a = seccomp_names::find_action(name);
    if (!a) {
        if (name.empty()) return Error{where + ": missing"};
        return Error{where + ": unknown action " + quoted(name)};
    }
    if (!a->takes_errno) return a->value;
    uint32_t ret = errno_ret.value_or(EPERM);
    if (ret > 0xffff)
        return Error{where + ": errnoRet " + std::to_string(ret) + " is out of range (0..65535)"};
    return a->value | ret;
}

// One translated entry of linux.seccomp.syscalls for one syscall name.
struct Rule {
    int nr;
    uint32_t action;
    std::vector<scmp_arg_cmp> conds;
    bool same_index_twice;
    const std::string* name;
    size_t index; // in linux.seccomp.syscalls, for errors
};

Result<void> add_rule(scmp_filter_ctx ctx, const Rule& r) {
    auto fail = [&](int rc) {
        return Error{"linux.seccomp.syscalls[" + std::to_string(r.index) + "]: adding the rule for " +
                         quoted(*r.name) + ": " + std::strerror(-rc),
                     -rc};
    };
    if (r.conds.empty() || !r.same_index_twice) {
        int rc = seccomp_rule_add_array(ctx, r.action, r.nr, static_cast<unsigned>(r.conds.size()),
                                        r.conds.empty() ? nullptr : r.conds.data());
        if (rc < 0) return fail(rc);
        return ok();
    }
    for (const auto& c : r.conds) {
        int rc = seccomp_rule_add_array(ctx, r.action, r.nr, 1, &c);
        if (rc < 0) return fail(rc);
    }
    return ok();
}

Result<std::vector<unsigned char>> export_bpf(scmp_filter_ctx ctx) {
    // libseccomp 2.5 exports only to a file descriptor; a memfd never blocks, whatever the
    // program size (a pipe would stall past its 64 KiB buffer).
    int fd = memfd_create("skiff-seccomp", MFD_CLOEXEC);
    if (fd < 0) return errno_error("memfd_create for the seccomp program");
    struct Closer {
        int fd;
        ~Closer() { close(fd); }
    } closer{fd};
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) return Error{std::string("seccomp_export_bpf: ") + std::strerror(-rc), -rc};
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0) return errno_error("lseek on the seccomp program memfd");
    std::vector<unsigned char> bpf(static_cast<size_t>(size));
    size_t done = 0;
    while (done < bpf.size()) {
        ssize_t n = pread(fd, bpf.data() + done, bpf.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return errno_error("read of the seccomp program memfd");
        done += static_cast<size_t>(n);
    }
    return bpf;
}

// The libseccomp program for one architecture (0: the native one).
Result<std::vector<unsigned char>> build_program(uint32_t default_action, uint32_t arch,
                                                 const std::vector<Rule>& rules, bool optimize) {
    Filter filter(seccomp_init(default_action));
    if (!filter) return Error{"linux.seccomp.defaultAction: seccomp_init failed"};
    scmp_filter_ctx ctx = filter.get();
    if (arch != 0) {
        int rc = seccomp_arch_add(ctx, arch);
        if (rc == 0) rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
        if (rc < 0) return Error{std::string("seccomp architecture setup: ") + std::strerror(-rc), -rc};
    }
    if (optimize) {
        int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        (void)rc; // older libseccomp: a linear filter is still correct, only slower
    }
    for (const auto& r : rules) SKIFF_CHECK(add_rule(ctx, r));
    return export_bpf(ctx);
}

} // namespace

Result<SeccompProgram> compile_seccomp(const oci::Seccomp& profile) {
    SeccompProgram program;
    program.listener_path = profile.listener_path;
    program.listener_metadata = profile.listener_metadata;
    // runc: no default action and no rules means seccomp is off.
    if (profile.default_action.empty() && profile.syscalls.empty()) return program;

    const uint32_t default_action = SKIFF_TRY(resolve_action(
        profile.default_action, profile.default_errno_ret, "linux.seccomp.defaultAction"));
    // The init still has to hand the listener fd to the parent after loading; a notifying
    // default (or notifying write) would block that forever with no agent yet to answer.
    if (default_action == SCMP_ACT_NOTIFY)
        return Error{"linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"};

    // A rule-less filter only to validate the architectures: libseccomp says which it can
    // add next to the native one (seccomp_init holds that one already, so it stays first).
    Filter filter(seccomp_init(default_action));
    if (!filter) return Error{"linux.seccomp.defaultAction: seccomp_init refused " +
                              quoted(profile.default_action)};
    scmp_filter_ctx ctx = filter.get();

    std::vector<uint32_t> arches{seccomp_arch_native()};
    for (size_t i = 0; i < profile.architectures.size(); ++i) {
        const std::string where = "linux.seccomp.architectures[" + std::to_string(i) + "]";
        const auto* arch = seccomp_names::find_arch(profile.architectures[i]);
        if (!arch) {
            if (seccomp_names::is_spec_arch(profile.architectures[i])) {
                const scmp_version* v = seccomp_version();
                return Error{where + ": " + profile.architectures[i] + " is not supported by libseccomp " +
                             std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                             std::to_string(v->micro)};
            }
            return Error{where + ": unknown architecture " + quoted(profile.architectures[i])};
        }
        int rc = seccomp_arch_add(ctx, arch->value);
        // EEXIST: the native one. EDOM: the other byte order, which libseccomp cannot mix into
        // one filter and which this machine can never execute, so there is nothing to filter.
        if (rc < 0 && rc != -EEXIST && rc != -EDOM)
            return Error{where + ": seccomp_arch_add " + profile.architectures[i] + ": " +
                             std::strerror(-rc),
                         -rc};
        if (rc == 0) arches.push_back(arch->value);
    }

    unsigned int flags = 0;
    for (size_t i = 0; i < profile.flags.size(); ++i) {
        const auto* f = seccomp_names::find_flag(profile.flags[i]);
        if (!f)
            return Error{"linux.seccomp.flags[" + std::to_string(i) + "]: unknown flag " +
                         quoted(profile.flags[i])};
        flags |= f->value; // TSYNC is 0 here: the init is single-threaded when it loads
    }

    size_t names_total = 0;
    for (const auto& sc : profile.syscalls) names_total += sc.names.size();

    std::vector<Rule> rules;
    rules.reserve(names_total);
    std::vector<scmp_arg_cmp> conds;
    for (size_t i = 0; i < profile.syscalls.size(); ++i) {
        const auto& sc = profile.syscalls[i];
        const std::string where = "linux.seccomp.syscalls[" + std::to_string(i) + "]";
        const uint32_t action = SKIFF_TRY(resolve_action(sc.action, sc.errno_ret, where + ".action"));

        conds.clear();
        unsigned per_index[kMaxSyscallArgs] = {};
        bool same_index_twice = false;
        for (size_t j = 0; j < sc.args.size(); ++j) {
            const auto& arg = sc.args[j];
            const std::string at = where + ".args[" + std::to_string(j) + "]";
            if (arg.index >= kMaxSyscallArgs)
                return Error{at + ".index: " + std::to_string(arg.index) +
                             " is out of range (0..5)"};
            const auto* op = seccomp_names::find_operator(arg.op);
            if (!op) {
                if (arg.op.empty()) return Error{at + ".op: missing"};
                return Error{at + ".op: unknown operator " + quoted(arg.op)};
            }
            if (++per_index[arg.index] > 1) same_index_twice = true;
            // MASKED_EQ: (arg & value) == valueTwo; the others compare against value.
            conds.push_back(scmp_arg_cmp{arg.index, op->value, arg.value, arg.value_two});
        }

        if (action == SCMP_ACT_NOTIFY) {
            program.wants_listener = true;
            for (const auto& name : sc.names)
                if (name == "write")
                    return Error{where + ".names: SCMP_ACT_NOTIFY cannot be used for \"write\" "
                                         "(the init needs it to pass the listener on)"};
        }
        for (size_t j = 0; j < sc.names.size(); ++j)
            if (sc.names[j].empty())
                return Error{where + ".names[" + std::to_string(j) + "]: empty syscall name"};
        if (action == default_action) continue; // libseccomp rejects redundant rules

        for (const auto& name : sc.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue; // unknown to libseccomp: skipped, like runc
            rules.push_back(Rule{nr, action, conds, same_index_twice, &name, i});
        }
    }

    // WAIT_KILLABLE_RECV qualifies the listener; the kernel refuses it without one.
    if (!program.wants_listener) flags &= ~static_cast<unsigned>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    program.flags = flags;
    const bool optimize = names_total > kBinaryTreeThreshold;
    if (arches.size() == 1) {
        program.bpf = SKIFF_TRY(build_program(default_action, 0, rules, optimize));
    } else {
        std::vector<std::pair<uint32_t, std::vector<unsigned char>>> programs;
        for (uint32_t arch : arches)
            programs.emplace_back(arch, SKIFF_TRY(build_program(default_action,
                                                                arch == arches[0] ? 0 : arch,
                                                                rules, optimize)));
        uint32_t bad_arch = SCMP_ACT_KILL_THREAD;
        if (seccomp_attr_get(ctx, SCMP_FLTATR_ACT_BADARCH, &bad_arch) != 0) bad_arch = SCMP_ACT_KILL_THREAD;
        program.bpf = dispatch_by_arch(programs, bad_arch);
    }
    // runc's rule: only deny-by-default filters get the stub, and not when the default already
    // answers ENOSYS.
    const uint32_t default_kind = default_action & SECCOMP_RET_ACTION_FULL;
    const bool permissive = default_kind == SCMP_ACT_ALLOW || default_kind == SCMP_ACT_LOG;
    if (!permissive && profile.default_errno_ret.value_or(0) != ENOSYS)
        program.bpf = with_enosys_stub(program.bpf, profile, arches);
    if (size_t count = program.bpf.size() / sizeof(sock_filter); count > BPF_MAXINSNS)
        return Error{"linux.seccomp: the profile compiles to " + std::to_string(count) +
                     " BPF instructions, more than the kernel's limit of " +
                     std::to_string(BPF_MAXINSNS)};
    return program;
}

std::vector<std::string> seccomp_actions() { return seccomp_names::action_names(); }
std::vector<std::string> seccomp_operators() { return seccomp_names::operator_names(); }
std::vector<std::string> seccomp_architectures() { return seccomp_names::arch_names(); }
std::vector<std::string> seccomp_known_flags() { return seccomp_names::flag_names(); }

} // namespace skiff::runtime::security
