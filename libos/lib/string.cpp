// The few C library routines the compiler and the libOS need. Plain byte loops and `rep` string
// instructions only: no vector registers may be touched (the app's live in them).
#include "libos.hpp"

extern "C" {

void* memcpy(void* d, const void* s, size_t n) {
    void* ret = d;
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return ret;
}

void* memmove(void* d, const void* s, size_t n) {
    auto* dp = static_cast<unsigned char*>(d);
    const auto* sp = static_cast<const unsigned char*>(s);
    if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
    for (size_t i = n; i > 0; --i) dp[i - 1] = sp[i - 1];
    return d;
}

void* memset(void* d, int c, size_t n) {
    void* ret = d;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return ret;
}

int memcmp(const void* a, const void* b, size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

} // extern "C"

namespace libos {

size_t strnlen(const char* s, size_t max) {
    size_t n = 0;
    while (n < max && s[n]) ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

bool starts_with(const char* s, const char* p) {
    while (*p)
        if (*s++ != *p++) return false;
    return true;
}

size_t append_str(char* buf, size_t pos, size_t cap, const char* s) {
    while (*s && pos + 1 < cap) buf[pos++] = *s++;
    buf[pos < cap ? pos : cap - 1] = 0;
    return pos;
}

size_t append_num(char* buf, size_t pos, size_t cap, int64_t n) {
    char tmp[24];
    int i = 0;
    uint64_t u = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
    do tmp[i++] = static_cast<char>('0' + u % 10);
    while (u /= 10);
    if (n < 0) tmp[i++] = '-';
    while (i > 0 && pos + 1 < cap) buf[pos++] = tmp[--i];
    buf[pos < cap ? pos : cap - 1] = 0;
    return pos;
}

} // namespace libos
