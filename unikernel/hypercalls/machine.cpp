// vCPU and RAM services: the TLS base (arch_prctl), returning freed pages to the host, and
// randomness for getrandom and AT_RANDOM-style needs.
#include <sys/random.h>

#include <cerrno>

#include "hypercalls/core.hpp"

namespace skiff::vmm {
namespace {

int64_t hc_set_fs_base(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_value*>(r);
    if (req->value >= (1ull << 47)) return -EPERM; // non-canonical or kernel half, as Linux
    if (!g.set_fs_base) return -ENOSYS;
    auto res = g.set_fs_base(req->value);
    if (!res) {
        g.fail(res.error().message);
        return -EIO;
    }
    return 0;
}

int64_t hc_discard(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_range*>(r);
    if ((req->addr | req->len) & 0xfff) return -EINVAL;
    if (!guest_buffer(g, req->addr, req->len)) return -EFAULT;
    auto res = g.mem->discard(req->addr, req->len);
    return res ? 0 : -res.error().code;
}

int64_t hc_random(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_range*>(r);
    uint8_t* buf = guest_buffer(g, req->addr, req->len);
    if (!buf) return -EFAULT;
    uint64_t done = 0;
    while (done < req->len) {
        ssize_t n = getrandom(buf + done, req->len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        done += static_cast<uint64_t>(n);
    }
    return static_cast<int64_t>(done);
}

} // namespace

void register_machine_hypercalls(Hypercalls& h) {
    h.add(SKIFF_HC_SET_FS_BASE, {"set_fs_base", sizeof(skiff_hc_value), hc_set_fs_base});
    h.add(SKIFF_HC_DISCARD, {"discard", sizeof(skiff_hc_range), hc_discard});
    h.add(SKIFF_HC_RANDOM, {"random", sizeof(skiff_hc_range), hc_random});
}

} // namespace skiff::vmm
