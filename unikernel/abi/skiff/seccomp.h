/* The container's OCI seccomp profile in vm mode (DESIGN decision 6), shared by skiff-vmm and
 * the libOS. The runtime compiles the profile to classic BPF exactly as for container mode
 * (libseccomp); the VMM checks the program as the kernel would, then writes it into guest RAM at
 * SKIFF_SECCOMP_ADDR with a table of verdicts per syscall number, all SKIFF_SECCOMP_UNKNOWN at
 * first. Before every syscall the libOS looks its number up; an unknown entry runs the program
 * once, watching whether it reads anything but the number and architecture: if not, the verdict
 * holds whatever the arguments and is stored, else the entry becomes SKIFF_SECCOMP_EVAL and the
 * program runs for every such call. So apps see the verdicts the kernel would give them in
 * container mode, and only the numbers an app uses are ever evaluated (tabulating podman's
 * default profile, 1468 instructions, for all 512 numbers at start cost 100-160 µs here). The
 * VMM keeps its own copy of the program to refuse forwarded operations.
 *
 * skiff_bpf_run is the one interpreter both sides use. It is safe on any input (the program in
 * guest RAM is writable by the app): pc only moves forward and stays in range, scratch indexes
 * are masked, an out-of-range load or a division by zero returns 0 (SECCOMP_RET_KILL_THREAD). */
#ifndef SKIFF_SECCOMP_H
#define SKIFF_SECCOMP_H

#include <stdint.h>

#define SKIFF_SECCOMP_ADDR 0x14000u     /* struct skiff_seccomp, user pages below the libOS */
#define SKIFF_SECCOMP_NR 512u           /* table entries: syscall numbers 0..511 */
#define SKIFF_SECCOMP_MAX_INSNS 4096u   /* the kernel's BPF_MAXINSNS */
#define SKIFF_SECCOMP_EVAL 0xffffffffu  /* table entry: the verdict depends on the arguments */
#define SKIFF_SECCOMP_UNKNOWN 0xfffffffeu /* table entry: not evaluated yet */
#define SKIFF_AUDIT_ARCH_X86_64 0xc000003eu

/* SECCOMP_RET_* (linux/seccomp.h), repeated for the freestanding guest. */
#define SKIFF_SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SKIFF_SECCOMP_RET_KILL_THREAD 0x00000000u
#define SKIFF_SECCOMP_RET_TRAP 0x00030000u
#define SKIFF_SECCOMP_RET_ERRNO 0x00050000u
#define SKIFF_SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define SKIFF_SECCOMP_RET_TRACE 0x7ff00000u
#define SKIFF_SECCOMP_RET_LOG 0x7ffc0000u
#define SKIFF_SECCOMP_RET_ALLOW 0x7fff0000u
#define SKIFF_SECCOMP_RET_ACTION_FULL 0xffff0000u
#define SKIFF_SECCOMP_RET_DATA 0x0000ffffu

struct skiff_bpf_insn { /* struct sock_filter */
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};

struct skiff_seccomp_data { /* struct seccomp_data */
    int32_t nr;
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t args[6];
};

struct skiff_seccomp {
    uint32_t insns; /* length of filter */
    uint32_t pad;
    uint32_t action[SKIFF_SECCOMP_NR];
    struct skiff_bpf_insn filter[SKIFF_SECCOMP_MAX_INSNS];
};

/* Classic BPF opcodes seccomp accepts (the kernel's seccomp_check_filter list). */
enum {
    SKIFF_BPF_LD_W_ABS = 0x20, SKIFF_BPF_LD_W_LEN = 0x80, SKIFF_BPF_LDX_W_LEN = 0x81,
    SKIFF_BPF_LD_IMM = 0x00, SKIFF_BPF_LDX_IMM = 0x01, SKIFF_BPF_LD_MEM = 0x60,
    SKIFF_BPF_LDX_MEM = 0x61, SKIFF_BPF_ST = 0x02, SKIFF_BPF_STX = 0x03,
    SKIFF_BPF_RET_K = 0x06, SKIFF_BPF_RET_A = 0x16, SKIFF_BPF_TAX = 0x07, SKIFF_BPF_TXA = 0x87,
    SKIFF_BPF_ALU_NEG = 0x84, SKIFF_BPF_JA = 0x05
};

/* ALU and conditional-jump opcodes: class | op | source (K 0x00, X 0x08). */
static inline int skiff_bpf_is_alu(uint16_t c) {
    const uint16_t op = c & 0xf0;
    return (c & 0x07) == 0x04 && (c & ~0xf8) == 0x04 && op != 0x80 &&
           (op <= 0x70 || op == 0xa0); /* ADD SUB MUL DIV OR AND LSH RSH XOR */
}
static inline int skiff_bpf_is_jcond(uint16_t c) {
    const uint16_t op = c & 0xf0;
    return (c & 0x07) == 0x05 && (c & ~0xf8) == 0x05 && op >= 0x10 && op <= 0x40; /* JEQ JGT JGE JSET */
}

/* Runs `prog` on `d`. *touched gets bit i set when 32-bit word i of seccomp_data was loaded
 * (word 0 is nr, 1 arch, 2-3 the instruction pointer, 4.. the arguments). */
static inline uint32_t skiff_bpf_run(const struct skiff_bpf_insn* prog, uint32_t len,
                                     const struct skiff_seccomp_data* d, uint32_t* touched) {
    const unsigned char* bytes = (const unsigned char*)d; /* char access: no aliasing assumptions */
    uint32_t a = 0, x = 0, mem[16] = {0};
    uint32_t pc = 0;
    *touched = 0;
    while (pc < len) {
        const struct skiff_bpf_insn in = prog[pc++];
        const uint32_t src = (in.code & 0x08) ? x : in.k;
        switch (in.code) {
        case SKIFF_BPF_LD_W_ABS:
            if (in.k % 4 || in.k >= sizeof *d) return 0;
            *touched |= 1u << (in.k / 4);
            __builtin_memcpy(&a, bytes + in.k, 4);
            continue;
        case SKIFF_BPF_LD_W_LEN: a = sizeof *d; continue;
        case SKIFF_BPF_LDX_W_LEN: x = sizeof *d; continue;
        case SKIFF_BPF_LD_IMM: a = in.k; continue;
        case SKIFF_BPF_LDX_IMM: x = in.k; continue;
        case SKIFF_BPF_LD_MEM: a = mem[in.k & 15]; continue;
        case SKIFF_BPF_LDX_MEM: x = mem[in.k & 15]; continue;
        case SKIFF_BPF_ST: mem[in.k & 15] = a; continue;
        case SKIFF_BPF_STX: mem[in.k & 15] = x; continue;
        case SKIFF_BPF_RET_K: return in.k;
        case SKIFF_BPF_RET_A: return a;
        case SKIFF_BPF_TAX: x = a; continue;
        case SKIFF_BPF_TXA: a = x; continue;
        case SKIFF_BPF_ALU_NEG: a = 0u - a; continue;
        case SKIFF_BPF_JA:
            if (in.k >= len - pc) return 0;
            pc += in.k;
            continue;
        default: break;
        }
        if (skiff_bpf_is_alu(in.code)) {
            switch (in.code & 0xf0) {
            case 0x00: a += src; break;
            case 0x10: a -= src; break;
            case 0x20: a *= src; break;
            case 0x30: if (src == 0) return 0; a /= src; break;
            case 0x40: a |= src; break;
            case 0x50: a &= src; break;
            case 0x60: a = src >= 32 ? 0 : a << src; break;
            case 0x70: a = src >= 32 ? 0 : a >> src; break;
            case 0xa0: a ^= src; break;
            }
            continue;
        }
        if (skiff_bpf_is_jcond(in.code)) {
            int taken = 0;
            switch (in.code & 0xf0) {
            case 0x10: taken = a == src; break;
            case 0x20: taken = a > src; break;
            case 0x30: taken = a >= src; break;
            case 0x40: taken = (a & src) != 0; break;
            }
            const uint32_t off = taken ? in.jt : in.jf;
            if (off >= len - pc) return 0;
            pc += off;
            continue;
        }
        return 0; /* an opcode seccomp does not accept */
    }
    return 0; /* fell off the end */
}

#ifdef __cplusplus
static_assert(sizeof(struct skiff_bpf_insn) == 8, "struct sock_filter");
static_assert(sizeof(struct skiff_seccomp_data) == 64, "struct seccomp_data");
static_assert(sizeof(struct skiff_seccomp) == 8 + 4 * SKIFF_SECCOMP_NR + 8 * SKIFF_SECCOMP_MAX_INSNS,
              "skiff_seccomp layout");
#endif

#endif
