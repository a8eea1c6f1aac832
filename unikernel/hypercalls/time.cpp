// Clocks and sleeping: the guest has no timer of its own, so both come from the host.
#include <time.h>

#include <cerrno>

#include "hypercalls/core.hpp"

namespace skiff::vmm {
namespace {

bool known_clock(int32_t c) {
    switch (c) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID: case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
        return true;
    default:
        return false;
    }
}

int64_t hc_clock(Guest&, void* r) {
    auto* req = static_cast<skiff_hc_clock*>(r);
    if (!known_clock(req->clock)) return -EINVAL;
    timespec ts;
    if (clock_gettime(req->clock, &ts) != 0) return -errno;
    req->sec = ts.tv_sec;
    req->nsec = ts.tv_nsec;
    return 0;
}

int64_t hc_sleep(Guest&, void* r) {
    auto* req = static_cast<skiff_hc_clock*>(r);
    if (req->sec < 0 || req->nsec < 0 || req->nsec >= 1000000000) return -EINVAL;
    timespec ts{req->sec, req->nsec}, left{};
    // A signal to the VMM (kill) ends the sleep early, as it would end the app's.
    int rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &left);
    req->sec = left.tv_sec;
    req->nsec = left.tv_nsec;
    return rc == 0 ? 0 : -rc;
}

} // namespace

void register_time_hypercalls(Hypercalls& h) {
    h.add(SKIFF_HC_CLOCK, {"clock", sizeof(skiff_hc_clock), hc_clock});
    h.add(SKIFF_HC_SLEEP, {"sleep", sizeof(skiff_hc_clock), hc_sleep});
}

} // namespace skiff::vmm
