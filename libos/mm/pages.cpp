// Guest memory management. RAM is identity-mapped and the VMM maps every page at boot, so
// "allocating" is bookkeeping: a sorted list of free ranges in [mmap_low, mmap_high). mmap takes
// from the top down, brk grows up from the app image. Free ranges always read as zero: freed
// pages go back to the host (SKIFF_HC_DISCARD), which also returns their memory.
#include "libos.hpp"

namespace libos {
namespace {

constexpr uint64_t kPage = 4096;
constexpr int kMaxRanges = 2048;

struct Range {
    uint64_t start, end;
};
Range ranges[kMaxRanges];
int nranges;

void remove_at(int i) {
    memmove(&ranges[i], &ranges[i + 1], sizeof(Range) * static_cast<size_t>(nranges - i - 1));
    --nranges;
}

bool insert_at(int i, Range r) {
    if (nranges == kMaxRanges) return false;
    memmove(&ranges[i + 1], &ranges[i], sizeof(Range) * static_cast<size_t>(nranges - i));
    ranges[i] = r;
    ++nranges;
    return true;
}

// Small objects: power-of-two classes from 32 bytes to a page, carved from 64 KiB slabs.
constexpr int kClasses = 8; // 32 .. 4096
struct FreeObj {
    FreeObj* next;
};
FreeObj* free_lists[kClasses];

int size_class(size_t size) {
    int c = 0;
    for (size_t s = 32; s < size; s <<= 1) ++c;
    return c;
}

} // namespace

void mm_init() {
    ranges[0] = {boot->mmap_low, boot->mmap_high};
    nranges = boot->mmap_high > boot->mmap_low ? 1 : 0;
}

uint64_t free_bytes() {
    uint64_t n = 0;
    for (int i = 0; i < nranges; ++i) n += ranges[i].end - ranges[i].start;
    return n;
}

uint64_t alloc_pages(uint64_t len) {
    len = (len + kPage - 1) & ~(kPage - 1);
    if (len == 0) return 0;
    for (int i = nranges - 1; i >= 0; --i) {
        Range& r = ranges[i];
        if (r.end - r.start < len) continue;
        r.end -= len;
        const uint64_t addr = r.end;
        if (r.start == r.end) remove_at(i);
        return addr;
    }
    return 0;
}

bool reserve_pages(uint64_t addr, uint64_t len) {
    if ((addr | len) & (kPage - 1)) return false;
    const uint64_t end = addr + len;
    for (int i = 0; i < nranges; ++i) {
        Range& r = ranges[i];
        if (addr < r.start || end > r.end) continue;
        if (addr == r.start && end == r.end) remove_at(i);
        else if (addr == r.start) r.start = end;
        else if (end == r.end) r.end = addr;
        else {
            const Range upper{end, r.end};
            r.end = addr;
            if (!insert_at(i + 1, upper)) {
                r.end = upper.end;
                return false;
            }
        }
        return true;
    }
    return false;
}

void claim_pages(uint64_t addr, uint64_t len) {
    const uint64_t end = addr + len;
    for (int i = 0; i < nranges;) {
        Range& r = ranges[i];
        if (r.end <= addr || r.start >= end) { ++i; continue; }
        if (r.start >= addr && r.end <= end) { remove_at(i); continue; }
        if (r.start < addr && r.end > end) {
            const Range upper{end, r.end};
            r.end = addr;
            insert_at(i + 1, upper);
            return;
        }
        if (r.start < addr) r.end = addr;
        else r.start = end;
        ++i;
    }
}

void free_pages(uint64_t addr, uint64_t len) {
    len = (len + kPage - 1) & ~(kPage - 1);
    if (len == 0) return;
    claim_pages(addr, len); // freeing a range twice must not list it twice
    skiff_hc_range req{0, addr, len};
    if (hypercall(SKIFF_HC_DISCARD, &req) < 0) memset(reinterpret_cast<void*>(addr), 0, len);
    const uint64_t end = addr + len;
    int i = 0;
    while (i < nranges && ranges[i].start < addr) ++i;
    const bool merge_left = i > 0 && ranges[i - 1].end == addr;
    const bool merge_right = i < nranges && ranges[i].start == end;
    if (merge_left && merge_right) {
        ranges[i - 1].end = ranges[i].end;
        remove_at(i);
    } else if (merge_left) {
        ranges[i - 1].end = end;
    } else if (merge_right) {
        ranges[i].start = addr;
    } else if (!insert_at(i, {addr, end})) {
        log("mm: free-range table full, leaking pages");
    }
}

void* kalloc(size_t size) {
    if (size == 0 || size > kPage) return nullptr;
    const int c = size_class(size);
    if (!free_lists[c]) {
        const size_t obj = size_t{32} << c;
        const uint64_t slab = alloc_pages(64 * 1024);
        if (!slab) return nullptr;
        for (size_t off = 0; off + obj <= 64 * 1024; off += obj) {
            auto* o = reinterpret_cast<FreeObj*>(slab + off);
            o->next = free_lists[c];
            free_lists[c] = o;
        }
    }
    FreeObj* o = free_lists[c];
    free_lists[c] = o->next;
    memset(o, 0, size_t{32} << c);
    return o;
}

void kfree(void* p, size_t size) {
    if (!p) return;
    const int c = size_class(size);
    auto* o = static_cast<FreeObj*>(p);
    o->next = free_lists[c];
    free_lists[c] = o;
}

} // namespace libos
