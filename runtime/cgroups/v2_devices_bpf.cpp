// The v2 device filter: hand-assembled eBPF, loaded and attached with the raw bpf(2) syscall.
#include "cgroups/devices_bpf.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::bpf {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

// Registers: r1 = ctx (struct bpf_cgroup_dev_ctx), r2 = device type, r3 = requested access,
// r4 = major, r5 = minor; r1 is reused as scratch once the fields are loaded.
bpf_insn ldx_w(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0); }
bpf_insn alu32_k(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov32_x(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn jmp32_k(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
    return insn(BPF_JMP32 | op | BPF_K, dst, 0, off, imm);
}
bpf_insn mov64_k(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

long bpf(int cmd, bpf_attr* attr) { return ::syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

// One rule as a block that falls through to the next block when it does not match. Jumps are
// emitted with a placeholder and patched once the block length is known.
std::vector<bpf_insn> rule_block(const detail::DeviceRuleNorm& r) {
    std::vector<bpf_insn> b;
    std::vector<size_t> to_next;
    if (r.type != 'a') {
        to_next.push_back(b.size());
        b.push_back(jmp32_k(BPF_JNE, 2, r.type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0));
    }
    if (r.access != 7) {
        b.push_back(mov32_x(1, 3));
        if (r.allow) {
            // allow: every requested bit must be granted by the rule
            b.push_back(alu32_k(BPF_AND, 1, static_cast<int32_t>(~r.access & 7u)));
            to_next.push_back(b.size());
            b.push_back(jmp32_k(BPF_JNE, 1, 0, 0));
        } else {
            // deny: any requested bit the rule names is refused (the kernel's v1 rule)
            b.push_back(alu32_k(BPF_AND, 1, static_cast<int32_t>(r.access)));
            to_next.push_back(b.size());
            b.push_back(jmp32_k(BPF_JEQ, 1, 0, 0));
        }
    }
    if (r.major >= 0) {
        to_next.push_back(b.size());
        b.push_back(jmp32_k(BPF_JNE, 4, static_cast<int32_t>(static_cast<uint32_t>(r.major)), 0));
    }
    if (r.minor >= 0) {
        to_next.push_back(b.size());
        b.push_back(jmp32_k(BPF_JNE, 5, static_cast<int32_t>(static_cast<uint32_t>(r.minor)), 0));
    }
    b.push_back(mov64_k(0, r.allow ? 1 : 0));
    b.push_back(exit_insn());
    for (size_t at : to_next) b[at].off = static_cast<int16_t>(b.size() - at - 1);
    return b;
}

} // namespace

Result<std::vector<bpf_insn>> device_program(const std::vector<oci::DeviceRule>& rules) {
    auto norm = SKIFF_TRY(detail::normalize_device_rules(rules));
    std::vector<bpf_insn> p = {
        ldx_w(2, 0), alu32_k(BPF_AND, 2, 0xffff), // type = access_type & 0xffff
        ldx_w(3, 0), alu32_k(BPF_RSH, 3, 16),     // access = access_type >> 16
        ldx_w(4, 4),                              // major
        ldx_w(5, 8),                              // minor
    };
    bool default_allow = true;
    for (auto it = norm.rbegin(); it != norm.rend(); ++it) {
        if (it->everything()) {
            default_allow = it->allow;
            break;
        }
        auto b = rule_block(*it);
        p.insert(p.end(), b.begin(), b.end());
    }
    if (p.size() > 30000) return Error{"linux.resources.devices: too many rules for one BPF program"};
    p.push_back(mov64_k(0, default_allow ? 1 : 0));
    p.push_back(exit_insn());
    return p;
}

Result<int> load_device_program(const std::vector<bpf_insn>& insns) {
    static const char license[] = "Apache-2.0";
    bpf_attr a{};
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = reinterpret_cast<uint64_t>(insns.data());
    a.insn_cnt = static_cast<uint32_t>(insns.size());
    a.license = reinterpret_cast<uint64_t>(license);
    std::strncpy(a.prog_name, "skiff_devices", sizeof a.prog_name - 1);
    long fd = bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) return static_cast<int>(fd);
    int err = errno;
    if (err != EINVAL && err != EACCES) return errno_error("BPF_PROG_LOAD (device filter)", err);
    // Load again with the verifier log to say why.
    std::vector<char> log(16384);
    a.log_level = 1;
    a.log_buf = reinterpret_cast<uint64_t>(log.data());
    a.log_size = static_cast<uint32_t>(log.size());
    fd = bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) return static_cast<int>(fd);
    std::string text(log.data());
    size_t nl = text.rfind('\n', text.size() > 1 ? text.size() - 2 : 0);
    std::string last = detail::trim(nl == std::string::npos ? text : text.substr(nl + 1));
    return Error{"BPF_PROG_LOAD (device filter): " + std::string(std::strerror(err)) +
                     (last.empty() ? "" : " (verifier: " + last + ")"),
                 err};
}

Result<void> attach_device_program(const std::string& cgroup_dir, int prog_fd) {
    int dfd = ::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return errno_error("open " + cgroup_dir);
    uint32_t ids[64];
    bpf_attr q{};
    q.query.target_fd = static_cast<uint32_t>(dfd);
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = reinterpret_cast<uint64_t>(ids);
    q.query.prog_cnt = 64;
    uint32_t old_count = 0;
    if (bpf(BPF_PROG_QUERY, &q) == 0) old_count = q.query.prog_cnt;
    else if (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP) {
        int err = errno;
        ::close(dfd);
        return errno_error("BPF_PROG_QUERY " + cgroup_dir, err);
    }

    bpf_attr at{};
    at.target_fd = static_cast<uint32_t>(dfd);
    at.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    at.attach_type = BPF_CGROUP_DEVICE;
    at.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &at) != 0) {
        int err = errno;
        ::close(dfd);
        return errno_error("BPF_PROG_ATTACH (device filter) to " + cgroup_dir, err);
    }
    for (uint32_t i = 0; i < old_count && i < 64; ++i) {
        bpf_attr g{};
        g.prog_id = ids[i];
        long old = bpf(BPF_PROG_GET_FD_BY_ID, &g);
        if (old < 0) continue; // already gone
        bpf_attr d{};
        d.target_fd = static_cast<uint32_t>(dfd);
        d.attach_bpf_fd = static_cast<uint32_t>(old);
        d.attach_type = BPF_CGROUP_DEVICE;
        long rc = bpf(BPF_PROG_DETACH, &d);
        int err = errno;
        ::close(static_cast<int>(old));
        if (rc != 0 && err != ENOENT) {
            ::close(dfd);
            return errno_error("BPF_PROG_DETACH (old device filter) from " + cgroup_dir, err);
        }
    }
    ::close(dfd);
    return ok();
}

Result<void> set_devices_v2(const std::string& cgroup_dir,
                            const std::vector<oci::DeviceRule>& rules) {
    auto prog = SKIFF_TRY(device_program(rules));
    int fd = SKIFF_TRY(load_device_program(prog));
    auto r = attach_device_program(cgroup_dir, fd);
    ::close(fd); // the attachment holds its own reference
    if (!r.ok()) return std::move(r).error().wrap("linux.resources.devices");
    return ok();
}

} // namespace skiff::runtime::cgroups::bpf
