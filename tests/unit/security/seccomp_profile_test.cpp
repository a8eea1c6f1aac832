// The docker-sized profile (seccomp_util.hpp) end to end, and its compile/load figures.
#include <chrono>
#include <fstream>
#include <iostream>

#include "seccomp_util.hpp"
#include "skiff/oci/spec.hpp"

using namespace skiff::test;

namespace {

size_t name_count(const skiff::oci::Seccomp& p) {
    size_t n = 0;
    for (const auto& s : p.syscalls) n += s.names.size();
    return n;
}

} // namespace

TEST_CASE("the containers-common default profile compiles, loads and runs real programs",
          "[seccomp][profile]") {
    auto p = docker_sized_profile();
    if (!p) {
        WARN("skipped: needs " << kProfilePath << " (containers-common, installed with podman)");
        return;
    }
    CHECK(name_count(*p) > 300);
    auto compiled = sec::compile_seccomp(*p);
    INFO((compiled ? std::string() : compiled.error().message));
    REQUIRE(compiled.ok());
    auto program = std::move(compiled).value();
    SKIFF_NEED_ROOT();
    // What a user sees: ordinary programs work; chroot, allowed by the profile only to
    // containers granted CAP_SYS_CHROOT, is refused even though this process is root.
    auto e = run_in_child([&](int out) {
        auto loaded = sec::load_seccomp(program);
        if (!loaded) {
            say(out, "error=" + loaded.error().message + "\n");
            return 1;
        }
        dup2(out, 1);
        dup2(out, 2);
        execl("/bin/sh", "sh", "-c",
              "ls / >/dev/null && echo ls=ok; chroot / true 2>/dev/null || echo chroot=refused",
              nullptr);
        return 4;
    });
    INFO(e.out);
    CHECK(e.code == 0);
    CHECK(field(e.out, "ls") == "ok");
    CHECK(field(e.out, "chroot") == "refused");
}

// Not a pass/fail test (speed is measured, not asserted): run with
//   ./build/tests/unit_security "[.bench]"
TEST_CASE("compile time of a docker-sized profile", "[.bench]") {
    auto p = docker_sized_profile();
    if (!p) return;
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    auto first = sec::compile_seccomp(*p); // includes libseccomp's one-time kernel probes
    auto t1 = clock::now();
    REQUIRE(first.ok());
    constexpr int kRounds = 200;
    std::vector<double> us;
    timespec cpu0, cpu1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    for (int i = 0; i < kRounds; ++i) {
        auto a = clock::now();
        auto r = sec::compile_seccomp(*p);
        auto b = clock::now();
        REQUIRE(r.ok());
        us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    const double cpu_us = ((cpu1.tv_sec - cpu0.tv_sec) * 1e9 + (cpu1.tv_nsec - cpu0.tv_nsec)) / 1e3;
    std::sort(us.begin(), us.end());
    std::cout << "seccomp profile: " << name_count(*p) << " syscall names, " << p->syscalls.size()
              << " rules, " << p->architectures.size() << " architectures -> "
              << first->bpf.size() / 8 << " BPF instructions\n"
              << "compile, first in process: "
              << std::chrono::duration<double, std::micro>(t1 - t0).count() << " us\n"
              << "compile, median of " << kRounds << ": " << us[us.size() / 2] << " us (p10 "
              << us[us.size() / 10] << ", p90 " << us[us.size() * 9 / 10] << "); CPU time per compile "
              << cpu_us / kRounds << " us\n";
    char dir[] = "/tmp/skiff-seccomp-bench.XXXXXX";
    REQUIRE(mkdtemp(dir));
    REQUIRE(sec::compile_seccomp_cached(*p, dir).ok());
    std::vector<double> cached;
    for (int i = 0; i < kRounds; ++i) {
        auto a = clock::now();
        auto r = sec::compile_seccomp_cached(*p, dir);
        auto b = clock::now();
        REQUIRE(r.ok());
        REQUIRE(r->bpf == first->bpf);
        cached.push_back(std::chrono::duration<double, std::micro>(b - a).count());
    }
    (void)system((std::string("rm -rf ") + dir).c_str());
    std::sort(cached.begin(), cached.end());
    std::cout << "compile from cache, median of " << kRounds << ": " << cached[cached.size() / 2]
              << " us (p10 " << cached[cached.size() / 10] << ", p90 "
              << cached[cached.size() * 9 / 10] << ")\n";
    auto e = run_in_child([&](int out) {
        timespec c0, c1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        auto a = clock::now();
        auto r = sec::load_seccomp(*first);
        auto b = clock::now();
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        double cpu = ((c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec)) / 1e3;
        say(out, "load_us=" + std::to_string(std::chrono::duration<double, std::micro>(b - a).count()) +
                     " (CPU " + std::to_string(cpu) + ")" +
                     (r ? "" : " error " + r.error().message) + "\n");
        return 0;
    });
    std::cout << "load: " << field(e.out, "load_us") << " us\n";

    // The whole child-side sequence of security.hpp for runc's default process.
    e = run_in_child([&](int out) {
        skiff::oci::Capabilities caps;
        caps.bounding = caps.effective = caps.permitted =
            std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
        skiff::oci::User user;
        user.uid = user.gid = 1000;
        auto a = clock::now();
        bool good = sec::apply_rlimits({{"RLIMIT_NOFILE", 1024, 1024}}).ok() &&
                    sec::set_no_new_privileges().ok() && sec::drop_bounding(caps).ok() &&
                    sec::switch_user(user).ok() && sec::apply_capabilities(caps).ok() &&
                    sec::load_seccomp(*first).ok();
        auto b = clock::now();
        say(out, "sequence_us=" + std::to_string(std::chrono::duration<double, std::micro>(b - a).count()) +
                     (good ? "" : " (failed)") + "\n");
        return 0;
    });
    std::cout << "child sequence (rlimits, no_new_privs, bounding, user, caps, seccomp load): "
              << field(e.out, "sequence_us") << " us\n";
}

TEST_CASE("a config.json seccomp section parsed by the OCI model compiles and blocks",
          "[seccomp][profile]") {
    const std::string config = R"({
      "ociVersion": "1.2.0",
      "root": {"path": "rootfs"},
      "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
      "linux": {
        "seccomp": {
          "defaultAction": "SCMP_ACT_ALLOW",
          "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
          "syscalls": [
            {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
            {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
             "args": [{"index": 1, "value": 240, "valueTwo": 48, "op": "SCMP_CMP_MASKED_EQ"}]}
          ]
        }
      }
    })";
    auto spec = skiff::oci::parse_spec(config);
    INFO((spec ? std::string() : spec.error().message));
    REQUIRE(spec.ok());
    REQUIRE(spec->linux_);
    REQUIRE(spec->linux_->seccomp);
    auto compiled = sec::compile_seccomp(*spec->linux_->seccomp);
    INFO((compiled ? std::string() : compiled.error().message));
    REQUIRE(compiled.ok());
    SKIFF_NEED_ROOT();
    auto e = load_and_probe(*compiled, [] { return rawcall(SYS_getpriority, 0, 0x35); });
    CHECK(field(e.out, "probe") == std::to_string(-EDOM));
    e = load_and_probe(*compiled, [] { return rawcall(SYS_mkdir, reinterpret_cast<long>("/x"), 0); });
    CHECK(field(e.out, "probe") == std::to_string(-ENOSYS));
    e = load_and_probe(*compiled, [] { return rawcall(SYS_getcwd, 0, 0); });
    CHECK(field(e.out, "probe") == std::to_string(-EPERM));
}
