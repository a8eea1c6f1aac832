// Internal to the seccomp compiler: a tiny classic-BPF writer and the two rewrites applied to
// libseccomp's output (seccomp_enosys.cpp, seccomp_arch_dispatch.cpp).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "skiff/oci/spec.hpp"

namespace skiff::runtime::security {

// Appends instructions; forward jumps to labels are BPF_JA (32-bit offsets), so a label may be
// any distance away. Conditional jumps only ever skip a few instructions of the same block.
class BpfWriter {
public:
    size_t label() {
        labels_.push_back(0);
        return labels_.size() - 1;
    }
    void bind(size_t label) { labels_[label] = code_.size(); }
    void bind_at(size_t label, size_t pc) { labels_[label] = pc; }
    void stmt(uint16_t code, uint32_t k) { code_.push_back(sock_filter{code, 0, 0, k}); }
    size_t jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
        code_.push_back(sock_filter{code, jt, jf, k});
        return code_.size() - 1;
    }
    void go(size_t label) {
        fixups_.push_back({code_.size(), label});
        stmt(BPF_JMP | BPF_JA, 0);
    }
    size_t size() const { return code_.size(); }
    sock_filter& at(size_t pc) { return code_[pc]; }
    std::vector<sock_filter> finish() {
        for (auto [pc, label] : fixups_) code_[pc].k = static_cast<uint32_t>(labels_[label] - (pc + 1));
        return std::move(code_);
    }

private:
    std::vector<sock_filter> code_;
    std::vector<size_t> labels_;
    std::vector<std::pair<size_t, size_t>> fixups_;
};

inline std::vector<unsigned char> concat(const std::vector<sock_filter>& head,
                                         const std::vector<unsigned char>& tail) {
    std::vector<unsigned char> out(head.size() * sizeof(sock_filter) + tail.size());
    if (!head.empty()) std::memcpy(out.data(), head.data(), head.size() * sizeof(sock_filter));
    if (!tail.empty()) std::memcpy(out.data() + head.size() * sizeof(sock_filter), tail.data(), tail.size());
    return out;
}

// Returns `filter` (BPF bytes) with a prefix that answers ENOSYS to every syscall numbered above
// the highest one `profile` names, for each libseccomp arch token in `arches`.
std::vector<unsigned char> with_enosys_stub(const std::vector<unsigned char>& filter,
                                            const oci::Seccomp& profile,
                                            const std::vector<uint32_t>& arches);

// One program out of single-architecture libseccomp programs (arch token, BPF bytes): a header
// sends each syscall to the program of its architecture; any other gets `bad_arch_action`.
std::vector<unsigned char> dispatch_by_arch(
    const std::vector<std::pair<uint32_t, std::vector<unsigned char>>>& programs,
    uint32_t bad_arch_action);

} // namespace skiff::runtime::security
