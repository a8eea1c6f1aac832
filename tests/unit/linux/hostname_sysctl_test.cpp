// hostname/domainname and sysctl inside the container's namespaces, and runc's validation.
#include <sys/utsname.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace skiff;
using namespace skiff::runtime::linux;

namespace {

oci::Spec spec_with(std::vector<const char*> ns, std::map<std::string, std::string> sysctl = {}) {
    oci::Spec s;
    oci::Linux l;
    for (auto t : ns) l.namespaces.push_back({t, ""});
    l.sysctl = std::move(sysctl);
    s.linux_ = l;
    return s;
}

std::string validation(const oci::Spec& s) {
    auto r = validate_sysctl(s);
    return r ? "" : r.error().message;
}

} // namespace

TEST_CASE("sysctl validation follows runc") {
    CHECK(validation(spec_with({"ipc"}, {{"kernel.shmmax", "1"}, {"fs.mqueue.msg_max", "2"}})) == "");
    CHECK(validation(spec_with({}, {{"kernel.msgmax", "1"}})) ==
          "linux.sysctl \"kernel.msgmax\": needs an ipc namespace");
    CHECK(validation(spec_with({"network"}, {{"net.ipv4.ip_forward", "1"}})) == "");
    CHECK(validation(spec_with({"ipc"}, {{"net.ipv4.ip_forward", "1"}})) ==
          "linux.sysctl \"net.ipv4.ip_forward\": needs a network namespace");
    CHECK(validation(spec_with({"uts"}, {{"kernel.domainname", "x"}})) == "");
    CHECK(validation(spec_with({"uts"}, {{"kernel.hostname", "x"}})) ==
          "linux.sysctl \"kernel.hostname\": conflicts with the hostname field; set that instead");
    CHECK(validation(spec_with({}, {{"kernel.domainname", "x"}})) ==
          "linux.sysctl \"kernel.domainname\": needs a uts namespace");
    CHECK(validation(spec_with({"ipc", "network", "uts"}, {{"vm.swappiness", "1"}})) ==
          "linux.sysctl \"vm.swappiness\": not in a namespace of the container's own");
    CHECK(validation(spec_with({"network"}, {{"net/../../etc", "1"}})) ==
          "linux.sysctl: invalid key \"net/../../etc\"");
    // Joining the runtime's own network namespace is the host's.
    oci::Spec own = spec_with({}, {{"net.ipv4.ip_forward", "1"}});
    own.linux_->namespaces.push_back({"network", "/proc/self/ns/net"});
    CHECK(validation(own) == "linux.sysctl \"net.ipv4.ip_forward\": the joined network namespace is the host's");
}

TEST_CASE("hostname, domainname and sysctl applied in new namespaces") {
    SKIFF_NEED_ROOT();
    auto spec = spec_with({"uts", "ipc", "network"}, {{"kernel.shmmax", "123456789"},
                                                      {"fs.mqueue.msg_max", "20"},
                                                      {"net.ipv4.ip_forward", "1"},
                                                      {"net/ipv4/conf/lo/forwarding", "1"},
                                                      {"kernel.domainname", "sysctl.example"}});
    spec.hostname = "skiff-host";
    auto r = test::run_in_namespaces(
        [&]() -> std::string {
            if (auto h = set_hostname(spec); !h) return h.error().message;
            if (auto s = apply_sysctl(spec); !s) return s.error().message;
            struct utsname u{};
            uname(&u);
            EXPECT_IN_CHILD(std::string(u.nodename) == "skiff-host", u.nodename);
            EXPECT_IN_CHILD(std::string(u.domainname) == "sysctl.example", u.domainname);
            EXPECT_IN_CHILD(test::read_file("/proc/sys/kernel/shmmax") == "123456789\n", "shmmax");
            EXPECT_IN_CHILD(test::read_file("/proc/sys/fs/mqueue/msg_max") == "20\n", "msg_max");
            EXPECT_IN_CHILD(test::read_file("/proc/sys/net/ipv4/ip_forward") == "1\n", "ip_forward");
            EXPECT_IN_CHILD(test::read_file("/proc/sys/net/ipv4/conf/lo/forwarding") == "1\n", "lo forwarding");
            return {};
        },
        CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET);
    INFO(r.output);
    CHECK(r.output.empty());
    CHECK(test::read_file("/proc/sys/kernel/shmmax") != "123456789\n");
}

TEST_CASE("hostname without a uts namespace, unknown sysctl keys: errors") {
    SKIFF_NEED_ROOT();
    auto spec = spec_with({"ipc"});
    spec.hostname = "nope";
    auto h = set_hostname(spec);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().message == "hostname: needs a uts namespace (linux.namespaces has none)");
    auto r = test::run_in_namespaces(
        []() -> std::string {
            auto s = apply_sysctl(std::map<std::string, std::string>{{"net.ipv4.no_such_key", "1"}});
            return s ? "succeeded" : s.error().message;
        },
        CLONE_NEWNET);
    CHECK(r.output == "linux.sysctl \"net.ipv4.no_such_key\": open /proc/sys/net/ipv4/no_such_key: ENOENT");
}
