// Dentry and page cache. A dentry remembers, per absolute path, the stat and lstat results
// (positive or negative) and the cached Inode of a read-only open; an Inode keeps its host handle
// and the file's bytes in 256 KiB chunks filled by one pread hypercall each. Any change to the
// rootfs made through the libOS bumps a generation that makes every dentry stale; a stale open
// re-asks the VMM and keeps the chunks only if the file is unchanged. The cache stops growing
// when free guest memory runs low: reads then go to the host directly.
#include <linux/stat.h>

#include "fs/vfs.hpp"

namespace libos {
namespace {

constexpr int kBuckets = 1024;
constexpr int kMaxDentries = 8192;

struct Dentry {
    Dentry* next;
    uint64_t gen;
    uint32_t hash, len;
    bool stat_known, lstat_known;
    int64_t stat_err, lstat_err;
    skiff_stat st, lst;
    Inode* inode;
    char path[1];
};

Dentry* buckets[kBuckets];
int ndentries;
uint64_t generation = 1;

uint32_t hash_path(const char* p, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; ++i) h = (h ^ static_cast<uint8_t>(p[i])) * 16777619u;
    return h;
}

// Cache only while plenty of guest memory is left for the app.
bool memory_plentiful() { return free_bytes() > boot->ram_size / 4; }

Dentry* lookup(const char* path, size_t len, bool create) {
    const uint32_t h = hash_path(path, len);
    for (Dentry* d = buckets[h % kBuckets]; d; d = d->next)
        if (d->hash == h && d->len == len && memcmp(d->path, path, len) == 0) {
            if (d->gen != generation) {
                d->gen = generation;
                d->stat_known = d->lstat_known = false;
                // d->inode stays: a re-open compares it with fresh stat before reusing chunks.
            }
            return d;
        }
    if (!create || ndentries >= kMaxDentries || sizeof(Dentry) + len > 4096 || !memory_plentiful())
        return nullptr;
    auto* d = static_cast<Dentry*>(kalloc(sizeof(Dentry) + len));
    if (!d) return nullptr;
    d->hash = h;
    d->len = static_cast<uint32_t>(len);
    d->gen = generation;
    memcpy(d->path, path, len);
    d->next = buckets[h % kBuckets];
    buckets[h % kBuckets] = d;
    ++ndentries;
    return d;
}

bool same_file(const skiff_stat& a, const skiff_stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           a.st_mtime_sec == b.st_mtime_sec && a.st_mtime_nsec == b.st_mtime_nsec;
}

// Bytes of guest memory chunk i of a file of `size` bytes occupies (the last one is short).
uint64_t chunk_bytes(uint64_t size, uint64_t i) {
    const uint64_t n = size - i * kChunk < kChunk ? size - i * kChunk : kChunk;
    return (n + 4095) & ~uint64_t{4095};
}

void drop_chunks(Inode* ino) {
    const uint64_t size = static_cast<uint64_t>(ino->st.st_size);
    for (uint64_t i = 0; i < ino->nchunks; ++i)
        if (ino->chunks[i]) free_pages(reinterpret_cast<uint64_t>(ino->chunks[i]), chunk_bytes(size, i));
    if (ino->chunks) free_pages(reinterpret_cast<uint64_t>(ino->chunks), ino->nchunks * sizeof(uint8_t*));
    ino->chunks = nullptr;
    ino->nchunks = 0;
}

void close_handle(int64_t h) {
    skiff_hc_handle req{0, h};
    hypercall(SKIFF_HC_CLOSE, &req);
}

} // namespace

void cache_invalidate() { ++generation; }

bool cache_stat(const char* path, size_t len, bool nofollow, skiff_stat* out, int64_t* err) {
    Dentry* d = lookup(path, len, false);
    if (!d) return false;
    if (nofollow ? !d->lstat_known : !d->stat_known) return false;
    *err = nofollow ? d->lstat_err : d->stat_err;
    if (*err == 0) *out = nofollow ? d->lst : d->st;
    return true;
}

void cache_store_stat(const char* path, size_t len, bool nofollow, const skiff_stat* st, int64_t err) {
    Dentry* d = lookup(path, len, true);
    if (!d) return;
    if (nofollow) {
        d->lstat_known = true, d->lstat_err = err;
        if (!err) d->lst = *st;
    } else {
        d->stat_known = true, d->stat_err = err;
        if (!err) d->st = *st;
    }
}

Inode* cache_open(const char* path, size_t len, int flags, int64_t* err, skiff_stat* out) {
    *err = 0;
    Dentry* d = lookup(path, len, true);
    if (d && d->inode && d->stat_known && d->stat_err == 0 && same_file(d->inode->st, d->st))
        return d->inode; // no round trip
    if (d && d->stat_known && d->stat_err == -ENOENT) {
        *err = -ENOENT;
        return nullptr;
    }
    skiff_stat& st = *out; // the caller keeps it when it gets the handle instead of an inode
    skiff_hc_open req{0, reinterpret_cast<uint64_t>(path), len, flags, 0, reinterpret_cast<uint64_t>(&st)};
    const int64_t h = hypercall(SKIFF_HC_OPEN, &req);
    if (h < 0) {
        if (d && h == -ENOENT) cache_store_stat(path, len, false, nullptr, h);
        *err = h;
        return nullptr;
    }
    if ((st.st_mode & S_IFMT) != S_IFREG || !d) {
        *err = h; // not cacheable: the caller gets the handle
        return nullptr;
    }
    d->stat_known = true, d->stat_err = 0, d->st = st;
    Inode* ino = d->inode;
    if (ino) {
        if (!same_file(ino->st, st)) drop_chunks(ino);
        close_handle(ino->handle);
    } else {
        ino = static_cast<Inode*>(kalloc(sizeof(Inode)));
        if (!ino) {
            *err = h;
            return nullptr;
        }
        d->inode = ino;
    }
    ino->handle = h;
    ino->st = st;
    return ino;
}

const uint8_t* cache_chunk(Inode* ino, uint64_t index, uint64_t* len) {
    const uint64_t size = static_cast<uint64_t>(ino->st.st_size);
    if (index * kChunk >= size) return nullptr;
    *len = size - index * kChunk < kChunk ? size - index * kChunk : kChunk;
    if (!ino->chunks) {
        if (!memory_plentiful()) return nullptr;
        const uint64_t n = (size + kChunk - 1) / kChunk;
        const uint64_t table = alloc_pages(n * sizeof(uint8_t*));
        if (!table) return nullptr;
        ino->chunks = reinterpret_cast<uint8_t**>(table);
        ino->nchunks = n;
    }
    if (index >= ino->nchunks) return nullptr;
    if (!ino->chunks[index]) {
        if (!memory_plentiful()) return nullptr;
        const uint64_t page = alloc_pages(chunk_bytes(size, index));
        if (!page) return nullptr;
        skiff_hc_io req{0, ino->handle, page, *len, static_cast<int64_t>(index * kChunk)};
        const int64_t n = hypercall(SKIFF_HC_PREAD, &req);
        if (n != static_cast<int64_t>(*len)) { // the file changed under us: do not cache
            free_pages(page, chunk_bytes(size, index));
            return nullptr;
        }
        ino->chunks[index] = reinterpret_cast<uint8_t*>(page);
    }
    return ino->chunks[index];
}

int64_t cache_read(Inode* ino, uint8_t* buf, uint64_t len, uint64_t off) {
    const uint64_t size = static_cast<uint64_t>(ino->st.st_size);
    if (off >= size) return 0;
    if (len > size - off) len = size - off;
    uint64_t done = 0;
    while (done < len) {
        const uint64_t pos = off + done;
        uint64_t clen;
        const uint8_t* chunk = cache_chunk(ino, pos / kChunk, &clen);
        if (!chunk) { // not cacheable now: straight from the host into the app's buffer
            skiff_hc_io req{0, ino->handle, reinterpret_cast<uint64_t>(buf + done), len - done,
                            static_cast<int64_t>(pos)};
            const int64_t n = hypercall(SKIFF_HC_PREAD, &req);
            if (n < 0) return done ? static_cast<int64_t>(done) : n;
            return static_cast<int64_t>(done + static_cast<uint64_t>(n));
        }
        const uint64_t in = pos % kChunk;
        uint64_t n = clen - in;
        if (n > len - done) n = len - done;
        memcpy(buf + done, chunk + in, n);
        done += n;
    }
    return static_cast<int64_t>(done);
}

} // namespace libos
