// The VMM's allowlist lets its run-loop syscalls through and kills anything else.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <vector>

#include "seccomp.hpp"

using namespace skiff::vmm;

namespace {

// Runs `body` in a child under the filter; returns the child's wait status.
template <class F>
int under_filter(const std::vector<uint8_t>& bpf, F body) {
    pid_t pid = fork();
    if (pid == 0) {
        if (!load_vmm_filter(bpf.data(), bpf.size())) _exit(100);
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

std::vector<uint8_t> compiled_filter() {
    auto f = build_vmm_filter();
    REQUIRE(f.ok());
    char path[] = "/tmp/skiff-unit-bpf-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(seccomp_export_bpf(f->get(), fd) == 0);
    std::vector<uint8_t> bpf(static_cast<size_t>(lseek(fd, 0, SEEK_END)));
    REQUIRE(pread(fd, bpf.data(), bpf.size(), 0) == static_cast<ssize_t>(bpf.size()));
    close(fd);
    unlink(path);
    return bpf;
}

} // namespace

TEST_CASE("the VMM seccomp filter allows its own syscalls and kills others") {
    const auto bpf = compiled_filter();
    int st = under_filter(bpf, [] {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        (void)!write(2, "", 0);
    });
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    st = under_filter(bpf, [] { open("/etc/hostname", O_RDONLY); });
    CHECK(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSYS);
    st = under_filter(bpf, [] { (void)!fork(); });
    CHECK(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSYS);
}

TEST_CASE("a malformed BPF program is refused") {
    std::vector<uint8_t> bad(7);
    CHECK_FALSE(load_vmm_filter(bad.data(), bad.size()).ok());
}
