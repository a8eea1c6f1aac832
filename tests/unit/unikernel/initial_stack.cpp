// The initial stack matches the x86-64 psABI layout Linux builds for execve.
#include <catch2/catch.hpp>

#include <elf.h>

#include <map>

#include "initial_stack.hpp"

using namespace skiff::vmm;

TEST_CASE("argc, argv, envp and auxv are laid out as Linux does") {
    auto mem = GuestMemory::create(4u << 20);
    REQUIRE(mem.ok());
    StackSpec spec;
    spec.argv = {"/bin/app", "one", "two words"};
    spec.envp = {"A=1", "PATH=/bin"};
    spec.execfn = "/bin/app";
    spec.phdr = 0x400040, spec.phent = 56, spec.phnum = 9, spec.entry = 0x401000;
    spec.uid = 1000, spec.gid = 100;
    spec.hwcap = 0x178bfbff;
    for (int i = 0; i < 16; ++i) spec.random[i] = static_cast<uint8_t>(i * 7);
    const uint64_t top = 4u << 20;
    auto rsp = build_initial_stack(*mem, top, top - (1u << 20), spec);
    REQUIRE(rsp.ok());
    CHECK(*rsp % 16 == 0);

    auto word = [&](uint64_t addr) { return *mem->object<uint64_t>(addr); };
    auto str = [&](uint64_t addr) { return std::string(reinterpret_cast<char*>(mem->host() + addr)); };
    uint64_t p = *rsp;
    REQUIRE(word(p) == 3);
    p += 8;
    CHECK(str(word(p)) == "/bin/app");
    CHECK(str(word(p + 8)) == "one");
    CHECK(str(word(p + 16)) == "two words");
    CHECK(word(p + 24) == 0);
    p += 32;
    CHECK(str(word(p)) == "A=1");
    CHECK(str(word(p + 8)) == "PATH=/bin");
    CHECK(word(p + 16) == 0);
    p += 24;
    std::map<uint64_t, uint64_t> aux;
    for (; word(p) != AT_NULL; p += 16) aux[word(p)] = word(p + 8);
    CHECK(aux.at(AT_PHDR) == 0x400040);
    CHECK(aux.at(AT_PHENT) == 56);
    CHECK(aux.at(AT_PHNUM) == 9);
    CHECK(aux.at(AT_PAGESZ) == 4096);
    CHECK(aux.at(AT_ENTRY) == 0x401000);
    CHECK(aux.at(AT_UID) == 1000);
    CHECK(aux.at(AT_EUID) == 1000);
    CHECK(aux.at(AT_GID) == 100);
    CHECK(aux.at(AT_SECURE) == 0);
    CHECK(aux.at(AT_HWCAP) == 0x178bfbff);
    CHECK(str(aux.at(AT_EXECFN)) == "/bin/app");
    CHECK(str(aux.at(AT_PLATFORM)) == "x86_64");
    const uint8_t* rnd = mem->host() + aux.at(AT_RANDOM);
    for (int i = 0; i < 16; ++i) CHECK(rnd[i] == i * 7);
    // Everything the pointers name lies above rsp and below the top.
    for (auto [k, v] : aux)
        if (k == AT_EXECFN || k == AT_PLATFORM || k == AT_RANDOM) CHECK((v > *rsp && v < top));
}

TEST_CASE("arguments larger than the stack are an error, not an overflow") {
    auto mem = GuestMemory::create(2u << 20);
    REQUIRE(mem.ok());
    StackSpec spec;
    spec.argv = {std::string(70000, 'x')};
    spec.execfn = "/x";
    auto rsp = build_initial_stack(*mem, 2u << 20, (2u << 20) - 65536, spec);
    REQUIRE_FALSE(rsp.ok());
    CHECK_THAT(rsp.error().message, Catch::Contains("exceed the stack"));
}
