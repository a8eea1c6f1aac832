// The hypercall dispatcher validates what a guest hands it before any handler touches memory.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "hypercalls/core.hpp"

using namespace skiff::vmm;

namespace {

struct Fixture {
    GuestMemory mem = std::move(GuestMemory::create(4u << 20).value());
    Guest g;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    explicit Fixture(const char* rootfs = "/") {
        g.mem = &mem;
        g.rootfs_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        g.handles = {devnull, devnull, devnull};
    }
    ~Fixture() {
        close(devnull);
        close(g.rootfs_fd);
    }
    template <class T>
    T* at(uint64_t gpa) { return mem.object<T>(gpa); }
    bool call(uint32_t nr, uint64_t gpa) {
        return all_hypercalls().dispatch(g, SKIFF_HC_MMIO_BASE + 8ull * nr, gpa);
    }
};

} // namespace

TEST_CASE("guest memory spans refuse anything outside RAM, overflow included") {
    auto mem = GuestMemory::create(2u << 20);
    REQUIRE(mem.ok());
    CHECK(mem->span(0, 2u << 20) != nullptr);
    CHECK(mem->span((2u << 20) - 1, 1) != nullptr);
    CHECK(mem->span((2u << 20) - 1, 2) == nullptr);
    CHECK(mem->span(2u << 20, 0) != nullptr); // empty span at the end is fine
    CHECK(mem->span((2u << 20) + 1, 0) == nullptr);
    CHECK(mem->span(8, UINT64_MAX) == nullptr);
    CHECK(mem->span(UINT64_MAX, 2) == nullptr);
    CHECK(mem->object<uint64_t>(4) == nullptr); // misaligned
    CHECK_FALSE(GuestMemory::create(3u << 20).ok());
}

TEST_CASE("a write hypercall with a buffer outside RAM returns EFAULT and the guest goes on") {
    Fixture f;
    auto* req = f.at<skiff_hc_io>(0x1000);
    *req = {0, 1, 0xfff00000, 16, 0};
    CHECK(f.call(SKIFF_HC_WRITE, 0x1000));
    CHECK(req->ret == -EFAULT);
    *req = {0, 1, 0x2000, UINT64_MAX - 0x1000, 0}; // wraps
    CHECK(f.call(SKIFF_HC_WRITE, 0x1000));
    CHECK(req->ret == -EFAULT);
    *req = {0, 1, 0x2000, 16, 0};
    CHECK(f.call(SKIFF_HC_WRITE, 0x1000));
    CHECK(req->ret == 16);
    CHECK_FALSE(f.g.stopped());
}

TEST_CASE("a request outside RAM or misaligned stops the VM with a message") {
    Fixture f;
    CHECK_FALSE(f.call(SKIFF_HC_WRITE, 0xffffff00));
    CHECK_THAT(f.g.error, Catch::Contains("request at 0xffffff00 is not inside guest RAM"));
    Fixture f2;
    CHECK_FALSE(f2.call(SKIFF_HC_WRITE, 0x1004));
    CHECK_THAT(f2.g.error, Catch::Contains("not inside guest RAM"));
    Fixture f3;
    CHECK_FALSE(f3.call(SKIFF_HC_WRITE, (4u << 20) - 8)); // the struct would run past the end
}

TEST_CASE("an unknown hypercall number stops the VM") {
    Fixture f;
    CHECK_FALSE(f.call(SKIFF_HC_COUNT, 0x1000));
    CHECK_THAT(f.g.error, Catch::Contains("unknown hypercall"));
    Fixture f2;
    CHECK_FALSE(f2.g.stopped());
    CHECK_FALSE(all_hypercalls().dispatch(f2.g, SKIFF_HC_MMIO_BASE + 3, 0x1000)); // not 8-aligned
}

TEST_CASE("bad handles and paths are errors, not crashes") {
    Fixture f;
    auto* io = f.at<skiff_hc_io>(0x1000);
    *io = {0, 77, 0x2000, 16, 0};
    CHECK(f.call(SKIFF_HC_PREAD, 0x1000));
    CHECK(io->ret == -EBADF);
    *io = {0, -1, 0x2000, 16, 0};
    CHECK(f.call(SKIFF_HC_READ, 0x1000));
    CHECK(io->ret == -EBADF);
    auto* h = f.at<skiff_hc_handle>(0x1000);
    *h = {0, 1};
    CHECK(f.call(SKIFF_HC_CLOSE, 0x1000));
    CHECK(h->ret == -EBADF); // the VMM's stdio is not the guest's to close

    auto* o = f.at<skiff_hc_open>(0x1000);
    std::memcpy(f.mem.host() + 0x3000, "/etc/hostname\0x", 15);
    *o = {0, 0x3000, 15, 0, 0, 0}; // NUL inside the path
    CHECK(f.call(SKIFF_HC_OPEN, 0x1000));
    CHECK(o->ret == -EFAULT);
    *o = {0, 0x3000, 0, 0, 0, 0};
    CHECK(f.call(SKIFF_HC_OPEN, 0x1000));
    CHECK(o->ret == -ENOENT);
    *o = {0, 0x3000, 1u << 20, 0, 0, 0};
    CHECK(f.call(SKIFF_HC_OPEN, 0x1000));
    CHECK(o->ret == -ENAMETOOLONG);
    *o = {0, 0x3000, 13, O_RDONLY | 040000000 /* O_TMPFILE */, 0, 0};
    CHECK(f.call(SKIFF_HC_OPEN, 0x1000));
    CHECK(o->ret == -EINVAL); // flags outside the allowed set
}

TEST_CASE("paths resolve inside the rootfs only") {
    char dir[] = "/tmp/skiff-unit-rootfs-XXXXXX";
    REQUIRE(mkdtemp(dir));
    const std::string root = dir;
    REQUIRE(mkdir((root + "/etc").c_str(), 0755) == 0);
    {
        int fd = open((root + "/etc/hostname").c_str(), O_CREAT | O_WRONLY, 0644);
        REQUIRE(write(fd, "inside\n", 7) == 7);
        close(fd);
    }
    REQUIRE(symlink("/../../../../etc", (root + "/escape").c_str()) == 0);
    Fixture f;
    close(f.g.rootfs_fd);
    f.g.rootfs_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (const char* path : {"/../../etc/hostname", "/escape/hostname", "../etc/hostname"}) {
        const size_t len = std::strlen(path);
        std::memcpy(f.mem.host() + 0x3000, path, len);
        auto* o = f.at<skiff_hc_open>(0x1000);
        *o = {0, 0x3000, len, O_RDONLY, 0, 0};
        REQUIRE(f.call(SKIFF_HC_OPEN, 0x1000));
        INFO(path);
        REQUIRE(o->ret >= 3);
        auto* io = f.at<skiff_hc_io>(0x1000);
        *io = {0, o->ret, 0x4000, 64, 0};
        REQUIRE(f.call(SKIFF_HC_PREAD, 0x1000));
        CHECK(std::string(reinterpret_cast<char*>(f.mem.host() + 0x4000), io->ret) == "inside\n");
    }
    unlink((root + "/escape").c_str());
    unlink((root + "/etc/hostname").c_str());
    rmdir((root + "/etc").c_str());
    rmdir(dir);
}

TEST_CASE("fuzz: random hypercalls never crash the dispatcher or touch memory outside RAM") {
    // Random requests may create files: give them an empty rootfs of their own.
    char dir[] = "/tmp/skiff-unit-fuzz-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::mt19937_64 rng(20261123);
    const uint64_t interesting[] = {0, 1, 7, 8, 0xfff, 0x1000, (4u << 20) - 8, 4u << 20,
                                    (4u << 20) + 8, UINT64_MAX, UINT64_MAX - 7, 1ull << 63,
                                    0x7fffffffffffull};
    auto pick = [&]() -> uint64_t {
        switch (rng() % 3) {
        case 0: return interesting[rng() % std::size(interesting)];
        case 1: return rng() % (4u << 20);
        default: return rng();
        }
    };
    int stopped = 0, served = 0;
    Fixture f(dir);
    for (int i = 0; i < 20000; ++i) {
        f.g.error.clear();
        f.g.exit_status.reset();
        // A request page full of random words, then a random hypercall pointing at it (or not).
        auto* words = reinterpret_cast<uint64_t*>(f.mem.host() + 0x1000);
        for (int w = 0; w < 16; ++w) words[w] = pick();
        uint32_t nr = static_cast<uint32_t>(rng() % (SKIFF_HC_COUNT + 2));
        if (nr == SKIFF_HC_SLEEP || nr == SKIFF_HC_READ) nr = SKIFF_HC_CLOCK; // never block the test
        if (nr == SKIFF_HC_DISCARD) words[2] &= 0xfffff000; // keep discards small
        const uint64_t gpa = rng() % 8 ? 0x1000 : pick();
        const bool going = all_hypercalls().dispatch(f.g, SKIFF_HC_MMIO_BASE + 8ull * nr, gpa);
        going ? ++served : ++stopped;
        if (!going && !f.g.exit_status) CHECK_FALSE(f.g.error.empty());
    }
    for (size_t h = 3; h < f.g.handles.size(); ++h)
        if (f.g.handles[h] >= 0) close(f.g.handles[h]);
    std::filesystem::remove_all(dir);
    CHECK(served > 1000);
    CHECK(stopped > 100);
}
