// The ELF loader checks every header field before copying a byte into guest RAM.
#include <catch2/catch.hpp>

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "elf_loader.hpp"

using namespace skiff::vmm;

namespace {

// A minimal static executable: one PT_LOAD of `code` at vaddr, entry at its start.
struct Image {
    Elf64_Ehdr eh{};
    std::vector<Elf64_Phdr> ph;
    std::vector<uint8_t> body;

    Image(uint16_t type, uint64_t vaddr, std::vector<uint8_t> code, uint64_t bss = 0) {
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = type;
        eh.e_machine = EM_X86_64;
        eh.e_version = EV_CURRENT;
        eh.e_phoff = sizeof(Elf64_Ehdr);
        eh.e_phentsize = sizeof(Elf64_Phdr);
        Elf64_Phdr load{};
        load.p_type = PT_LOAD;
        load.p_offset = 0;
        load.p_vaddr = vaddr;
        load.p_filesz = 0x1000 + code.size();
        load.p_memsz = load.p_filesz + bss;
        load.p_align = 0x1000;
        ph.push_back(load);
        eh.e_entry = vaddr + 0x1000;
        body = std::move(code);
    }
    std::string write(const std::string& dir) {
        eh.e_phnum = static_cast<uint16_t>(ph.size());
        std::vector<uint8_t> file(0x1000, 0);
        std::memcpy(file.data(), &eh, sizeof eh);
        std::memcpy(file.data() + sizeof eh, ph.data(), ph.size() * sizeof(Elf64_Phdr));
        file.insert(file.end(), body.begin(), body.end());
        const std::string path = dir + "/app";
        int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0755);
        REQUIRE(::write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
        close(fd);
        return path;
    }
};

struct TempDir {
    char path[32] = "/tmp/skiff-unit-elf-XXXXXX";
    TempDir() { REQUIRE(mkdtemp(path)); }
    ~TempDir() {
        unlink((std::string(path) + "/app").c_str());
        rmdir(path);
    }
};

skiff::Result<LoadedElf> load(Image& img, uint64_t ram_mib = 32) {
    TempDir dir;
    const std::string path = img.write(dir.path);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    static GuestMemory mem;
    mem = std::move(GuestMemory::create(ram_mib << 20).value());
    auto r = load_elf(fd, "/app", mem, 0x400000, mem.size() - (8u << 20), 0x1000000);
    close(fd);
    return r;
}

} // namespace

TEST_CASE("a static ELF is loaded at its addresses with entry, phdr and brk start") {
    Image img(ET_EXEC, 0x400000, {0xf4, 0x90, 0x90});
    auto r = load(img);
    REQUIRE(r.ok());
    CHECK(r->entry == 0x401000);
    CHECK(r->base == 0);
    CHECK(r->phdr == 0x400000 + sizeof(Elf64_Ehdr));
    CHECK(r->phnum == 1);
    CHECK(r->end == 0x402000);
}

TEST_CASE("a static-pie ELF is loaded at the PIE base") {
    Image img(ET_DYN, 0, {0xf4}, 0x5000);
    auto r = load(img);
    REQUIRE(r.ok());
    CHECK(r->base == 0x1000000);
    CHECK(r->entry == 0x1001000);
    CHECK(r->end == 0x1000000 + 0x7000);
}

TEST_CASE("bad ELF headers are refused with messages naming the problem") {
    SECTION("magic") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.eh.e_ident[1] = 'X';
        CHECK_THAT(load(img).error().message, Catch::Contains("not an ELF file (bad magic)"));
    }
    SECTION("32-bit") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.eh.e_ident[EI_CLASS] = ELFCLASS32;
        CHECK_THAT(load(img).error().message, Catch::Contains("32-bit ELF"));
    }
    SECTION("other architecture") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.eh.e_machine = EM_AARCH64;
        CHECK_THAT(load(img).error().message, Catch::Contains("built for aarch64"));
    }
    SECTION("interpreter") {
        Image img(ET_DYN, 0, {0xf4});
        Elf64_Phdr interp{};
        interp.p_type = PT_INTERP;
        img.ph.insert(img.ph.begin(), interp);
        CHECK_THAT(load(img).error().message, Catch::Contains("dynamically linked"));
    }
    SECTION("segment past the end of the file") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.ph[0].p_filesz = 1 << 20;
        img.ph[0].p_memsz = 1 << 20;
        CHECK_THAT(load(img).error().message, Catch::Contains("bad ELF segment"));
    }
    SECTION("file size above memory size") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.ph[0].p_memsz = 1;
        CHECK_THAT(load(img).error().message, Catch::Contains("bad ELF segment"));
    }
    SECTION("huge memory size") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.ph[0].p_memsz = UINT64_MAX - 0x1000;
        CHECK_THAT(load(img).error().message, Catch::Contains("bad ELF segment"));
    }
    SECTION("below the libOS limit") {
        Image img(ET_EXEC, 0x10000, {0xf4});
        CHECK_THAT(load(img).error().message, Catch::Contains("do not fit guest memory"));
    }
    SECTION("larger than RAM") {
        Image img(ET_EXEC, 0x400000, {0xf4}, 64u << 20);
        CHECK_THAT(load(img).error().message, Catch::Contains("do not fit guest memory"));
    }
    SECTION("entry outside the segments") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.eh.e_entry = 0x900000;
        CHECK_THAT(load(img).error().message, Catch::Contains("entry point"));
    }
    SECTION("program header count") {
        Image img(ET_EXEC, 0x400000, {0xf4});
        img.eh.e_phentsize = 12;
        CHECK_THAT(load(img).error().message, Catch::Contains("program header table"));
    }
}
