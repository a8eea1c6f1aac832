// Guest RAM: one anonymous MAP_NORESERVE mapping, identity-mapped into the guest from address 0.
// Pages cost host memory only when touched. Every guest-supplied address goes through span(),
// which refuses anything not wholly inside RAM (overflow included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "skiff/oci/result.hpp"

namespace skiff::vmm {

class GuestMemory {
public:
    static Result<GuestMemory> create(uint64_t size);
    GuestMemory() = default;
    GuestMemory(GuestMemory&& o) noexcept { *this = std::move(o); }
    GuestMemory& operator=(GuestMemory&& o) noexcept;
    ~GuestMemory();

    uint8_t* host() const { return base_; }
    uint64_t size() const { return size_; }

    // Host pointer to guest [gpa, gpa + len), or nullptr when any byte lies outside RAM.
    uint8_t* span(uint64_t gpa, uint64_t len) const {
        if (gpa > size_ || len > size_ - gpa) return nullptr;
        return base_ + gpa;
    }
    template <class T>
    T* object(uint64_t gpa) const {
        if (gpa % alignof(T)) return nullptr;
        return reinterpret_cast<T*>(span(gpa, sizeof(T)));
    }
    // Copies into guest memory; false when out of range.
    bool write(uint64_t gpa, const void* src, uint64_t len) const {
        uint8_t* p = span(gpa, len);
        if (!p) return false;
        std::memcpy(p, src, len);
        return true;
    }
    // Returns pages to the host (they read back as zero). Page-aligned ranges only.
    Result<void> discard(uint64_t gpa, uint64_t len) const;

private:
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace skiff::vmm
