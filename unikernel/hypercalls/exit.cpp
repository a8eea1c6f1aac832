// How a guest run ends, and what it reports on the way: exit, debug log lines, boot marks.
#include <cerrno>
#include <csignal>

#include "hypercalls/core.hpp"

namespace skiff::vmm {
namespace {

int64_t hc_exit(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_exit*>(r);
    if (req->signal > 0 && req->signal < 65)
        g.exit_status = 128 + req->signal;
    else
        g.exit_status = req->status & 0xff;
    return 0;
}

int64_t hc_log(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_buf*>(r);
    if (!g.debug) return 0;
    const uint64_t len = std::min<uint64_t>(req->len, 1024);
    const uint8_t* p = guest_buffer(g, req->addr, len);
    if (!p) return -EFAULT;
    g.log("guest: " + std::string(reinterpret_cast<const char*>(p), len));
    return 0;
}

int64_t hc_mark(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_mark*>(r);
    if (g.marks.size() < 16) g.marks.emplace_back(req->what, std::chrono::steady_clock::now());
    return 0;
}

} // namespace

void register_exit_hypercalls(Hypercalls& h) {
    h.add(SKIFF_HC_EXIT, {"exit", sizeof(skiff_hc_exit), hc_exit});
    h.add(SKIFF_HC_LOG, {"log", sizeof(skiff_hc_buf), hc_log});
    h.add(SKIFF_HC_MARK, {"mark", sizeof(skiff_hc_mark), hc_mark});
}

} // namespace skiff::vmm
