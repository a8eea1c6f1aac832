#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "security/security.hpp"

using namespace skiff::runtime;

namespace {

bool selinuxfs_registered() {
    std::ifstream f("/proc/filesystems");
    std::stringstream s;
    s << f.rdbuf();
    return s.str().find("selinuxfs") != std::string::npos;
}

} // namespace

TEST_CASE("selinux: an empty label is a no-op, a label without SELinux names itself") {
    CHECK(security::set_selinux_label("").ok());
    CHECK(security::selinux_enabled() == selinuxfs_registered());
    if (security::selinux_enabled()) {
        WARN("skipped the disabled-SELinux case: SELinux is enabled on this host");
        return;
    }
    auto r = security::set_selinux_label("system_u:system_r:container_t:s0");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "selinux label \"system_u:system_r:container_t:s0\" set but SELinux is not enabled");
}

TEST_CASE("selinux: the label applies to the next execve") {
    if (!security::selinux_enabled()) {
        WARN("skipped: SELinux is not enabled on this host");
        return;
    }
    std::string label;
    {
        std::ifstream f("/proc/self/attr/current");
        std::getline(f, label, '\0');
    }
    int p[2];
    REQUIRE(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        if (!security::set_selinux_label(label).ok()) _exit(2);
        execl("/bin/cat", "cat", "/proc/self/attr/current", nullptr);
        _exit(3);
    }
    close(p[1]);
    char buf[512] = {};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    CHECK(std::string(buf, n > 0 ? size_t(n) : 0).c_str() == label);
}
