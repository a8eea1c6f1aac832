#include <dirent.h>
#include <sys/stat.h>

#include <fstream>

#include "seccomp_util.hpp"

using namespace skiff::test;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/skiff-seccomp-cache.XXXXXX";
        REQUIRE(mkdtemp(t));
        path = t;
    }
    ~TempDir() { (void)system(("rm -rf '" + path + "'").c_str()); }
};

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

void copy_file(const std::string& from, const std::string& to) {
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
}

skiff::oci::Seccomp blocks(const std::string& name, uint32_t err) {
    auto p = profile("SCMP_ACT_ALLOW", {rule({name}, "SCMP_ACT_ERRNO", err)});
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    return p;
}

} // namespace

TEST_CASE("the seccomp cache returns the same program as a fresh compile", "[seccomp][cache]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/cache"; // created by the first store
    auto p = blocks("getcwd", EDOM);
    p.syscalls.push_back(rule({"getppid"}, "SCMP_ACT_NOTIFY"));
    p.listener_path = "/run/agent.sock";
    auto fresh = sec::compile_seccomp(p);
    REQUIRE(fresh.ok());

    auto first = sec::compile_seccomp_cached(p, dir);
    REQUIRE(first.ok());
    auto files = files_in(dir);
    REQUIRE(files.size() == 1);
    struct stat st;
    REQUIRE(stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat(files[0].c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    auto second = sec::compile_seccomp_cached(p, dir);
    REQUIRE(second.ok());
    CHECK(second->bpf == fresh->bpf);
    CHECK(second->flags == fresh->flags);
    CHECK(second->wants_listener);
    CHECK(second->listener_path == "/run/agent.sock");
    CHECK(files_in(dir).size() == 1);

    SKIFF_NEED_ROOT();
    auto e = load_and_probe(*second, [] { return rawcall(SYS_getcwd, 0, 0); });
    CHECK(field(e.out, "probe") == std::to_string(-EDOM));
}

TEST_CASE("a cache file for another profile under the same name is never used", "[seccomp][cache]") {
    TempDir tmp;
    auto a = blocks("getcwd", EDOM), b = blocks("getcwd", EACCES);
    REQUIRE(sec::compile_seccomp_cached(a, tmp.path).ok());
    auto file_a = files_in(tmp.path);
    REQUIRE(sec::compile_seccomp_cached(b, tmp.path).ok());
    auto both = files_in(tmp.path);
    REQUIRE(both.size() == 2);
    const std::string file_b = both[0] == file_a[0] ? both[1] : both[0];
    copy_file(file_a[0], file_b); // as if the two keys hashed alike

    auto fresh_b = sec::compile_seccomp(b);
    auto got = sec::compile_seccomp_cached(b, tmp.path);
    REQUIRE(got.ok());
    CHECK(got->bpf == fresh_b->bpf);
    CHECK(got->bpf != sec::compile_seccomp(a)->bpf);
}

TEST_CASE("corrupt or foreign-writable cache files are ignored and rewritten", "[seccomp][cache]") {
    TempDir tmp;
    auto p = blocks("getcwd", EDOM);
    auto fresh = sec::compile_seccomp(p);
    REQUIRE(sec::compile_seccomp_cached(p, tmp.path).ok());
    const std::string file = files_in(tmp.path).at(0);

    SECTION("truncated") {
        REQUIRE(truncate(file.c_str(), 20) == 0);
        auto got = sec::compile_seccomp_cached(p, tmp.path);
        REQUIRE(got.ok());
        CHECK(got->bpf == fresh->bpf);
        struct stat st;
        REQUIRE(stat(file.c_str(), &st) == 0);
        CHECK(st.st_size > 20); // rewritten
    }
    SECTION("bpf bytes flipped, key intact") {
        // A writable-by-others file could have been altered: it is not trusted at all.
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-8, std::ios::end);
        f.write("\0\0\0\0\0\0\0\0", 8);
        f.close();
        REQUIRE(chmod(file.c_str(), 0666) == 0);
        auto got = sec::compile_seccomp_cached(p, tmp.path);
        REQUIRE(got.ok());
        CHECK(got->bpf == fresh->bpf);
    }
}

TEST_CASE("compile errors are not cached and still name the field", "[seccomp][cache]") {
    TempDir tmp;
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_BOGUS")});
    auto r = sec::compile_seccomp_cached(p, tmp.path);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BOGUS\"");
    CHECK(files_in(tmp.path).empty());
}
