// Per-process kernel attributes the spec sets on the container process: OOM score, execution
// domain (personality), CPU scheduler, I/O priority, no_new_privs. Each validates its input
// fully before its one syscall, so a bad value never leaves a half-applied setting.
#include <fcntl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

template <class T>
struct Named {
    std::string_view name;
    T value;
};

template <class T, size_t N>
const Named<T>* find(const std::array<Named<T>, N>& table, std::string_view name) {
    for (const auto& e : table)
        if (e.name == name) return &e;
    return nullptr;
}

// personality(2) flags from <linux/personality.h>, by their header names.
constexpr std::array<Named<unsigned long>, 11> kPersonalityFlags{{
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
}};

// sched_setattr(2); glibc 2.36 has no wrapper, so the UAPI struct is declared here.
struct SchedAttr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max; // SCHED_ATTR_SIZE_VER1
};
static_assert(sizeof(SchedAttr) == 56);

constexpr uint32_t kSchedOther = 0, kSchedFifo = 1, kSchedRr = 2, kSchedBatch = 3, kSchedIso = 4,
                   kSchedIdle = 5, kSchedDeadline = 6;

constexpr std::array<Named<uint32_t>, 7> kSchedPolicies{{
    {"SCHED_OTHER", kSchedOther},
    {"SCHED_FIFO", kSchedFifo},
    {"SCHED_RR", kSchedRr},
    {"SCHED_BATCH", kSchedBatch},
    {"SCHED_ISO", kSchedIso},
    {"SCHED_IDLE", kSchedIdle},
    {"SCHED_DEADLINE", kSchedDeadline},
}};

constexpr std::array<Named<uint64_t>, 7> kSchedFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

// <linux/ioprio.h>
constexpr int kIoprioClassShift = 13, kIoprioWhoProcess = 1;
constexpr std::array<Named<int>, 3> kIoprioClasses{{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

} // namespace

Result<void> set_oom_score_adj(int value) {
    if (value < -1000 || value > 1000)
        return Error{"process.oomScoreAdj: " + std::to_string(value) +
                     " is out of range (-1000..1000)"};
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open /proc/self/oom_score_adj");
    std::string text = std::to_string(value);
    ssize_t n = write(fd, text.data(), text.size());
    int err = errno;
    close(fd);
    if (n != static_cast<ssize_t>(text.size())) {
        std::string why = err == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "";
        return Error{"write " + text + " to /proc/self/oom_score_adj: " + std::strerror(err) + why,
                     err};
    }
    return ok();
}

Result<void> set_personality(const oci::Personality& p) {
    unsigned long persona;
    if (p.domain == "LINUX")
        persona = PER_LINUX;
    else if (p.domain == "LINUX32")
        persona = PER_LINUX32;
    else
        return Error{"linux.personality.domain: unknown domain \"" + p.domain +
                     "\" (LINUX or LINUX32)"};
    for (size_t i = 0; i < p.flags.size(); ++i) {
        const auto* f = find(kPersonalityFlags, p.flags[i]);
        if (!f)
            return Error{"linux.personality.flags[" + std::to_string(i) + "]: unknown flag \"" +
                         p.flags[i] + "\""};
        persona |= f->value;
    }
    if (personality(persona) == -1) return errno_error("personality(" + p.domain + ")");
    return ok();
}

Result<void> set_scheduler(const oci::Scheduler& s) {
    const auto* policy = find(kSchedPolicies, s.policy);
    if (!policy) {
        if (s.policy.empty()) return Error{"process.scheduler.policy: missing"};
        return Error{"process.scheduler.policy: unknown policy \"" + s.policy + "\""};
    }
    SchedAttr attr{};
    attr.size = sizeof attr;
    attr.sched_policy = policy->value;
    for (size_t i = 0; i < s.flags.size(); ++i) {
        const auto* f = find(kSchedFlags, s.flags[i]);
        if (!f)
            return Error{"process.scheduler.flags[" + std::to_string(i) + "]: unknown flag \"" +
                         s.flags[i] + "\""};
        attr.sched_flags |= f->value;
    }
    const uint32_t pv = policy->value;
    if (s.nice) {
        if ((pv == kSchedOther || pv == kSchedBatch) && (*s.nice < -20 || *s.nice > 19))
            return Error{"process.scheduler.nice: " + std::to_string(*s.nice) +
                         " is out of range (-20..19) for " + s.policy};
        attr.sched_nice = *s.nice;
    }
    if (s.priority && *s.priority != 0) {
        if (pv != kSchedFifo && pv != kSchedRr)
            return Error{"process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a "
                         "priority, not " + s.policy};
        if (*s.priority < 1 || *s.priority > 99)
            return Error{"process.scheduler.priority: " + std::to_string(*s.priority) +
                         " is out of range (1..99)"};
        attr.sched_priority = static_cast<uint32_t>(*s.priority);
    }
    if ((s.runtime.value_or(0) || s.deadline.value_or(0) || s.period.value_or(0)) &&
        pv != kSchedDeadline)
        return Error{"process.scheduler: runtime, deadline and period are only for "
                     "SCHED_DEADLINE, not " + s.policy};
    attr.sched_runtime = s.runtime.value_or(0);
    attr.sched_deadline = s.deadline.value_or(0);
    attr.sched_period = s.period.value_or(0);
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
        return errno_error("sched_setattr " + s.policy);
    return ok();
}

Result<void> set_io_priority(const oci::IoPriority& prio) {
    const auto* klass = find(kIoprioClasses, prio.klass);
    if (!klass) return Error{"process.ioPriority.class: unknown class \"" + prio.klass + "\""};
    if (prio.priority < 0 || prio.priority > 7)
        return Error{"process.ioPriority.priority: " + std::to_string(prio.priority) +
                     " is out of range (0..7)"};
    // IOPRIO_WHO_PROCESS on ourselves: the value is inherited by every child, and unlike the
    // process-group form it cannot touch processes outside the container.
    int value = (klass->value << kIoprioClassShift) | prio.priority;
    if (syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, value) != 0)
        return errno_error("ioprio_set " + prio.klass + " " + std::to_string(prio.priority));
    return ok();
}

Result<void> set_no_new_privileges() {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno_error("prctl(PR_SET_NO_NEW_PRIVS)");
    return ok();
}

} // namespace skiff::runtime::security
