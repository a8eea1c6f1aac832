#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "lifecycle/state_store.hpp"

using namespace skiff;
using namespace skiff::runtime;

namespace {

std::string temp_root() {
    char tmpl[] = "/tmp/skiff-unit-state.XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

Record sample(const std::string& id) {
    Record r;
    r.id = id;
    r.status = oci::Status::Created;
    r.init_pid = 4242;
    r.init_start_time = 987654;
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.config_path = "/b/config.json";
    r.created = "2026-01-02T03:04:05.000000006Z";
    r.annotations = {{"a", "b"}};
    r.cgroup = R"({"paths":["x"]})";
    r.isolation = Isolation::Vm;
    r.poststop.push_back({"/bin/echo", {"echo", "hi"}, {"X=1"}, 3});
    return r;
}

} // namespace

TEST_CASE("a record survives dump and parse") {
    Record r = sample("c1");
    auto back = parse_record(dump_record(r), "state.json");
    REQUIRE(back.ok());
    CHECK(back->id == "c1");
    CHECK(back->status == oci::Status::Created);
    CHECK(back->init_pid == 4242);
    CHECK(back->init_start_time == 987654);
    CHECK(back->rootfs == "/b/rootfs");
    CHECK(back->annotations.at("a") == "b");
    CHECK(back->cgroup == r.cgroup);
    CHECK(back->isolation == Isolation::Vm);
    REQUIRE(back->poststop.size() == 1);
    CHECK(back->poststop[0].args[1] == "hi");
    CHECK(*back->poststop[0].timeout == 3);
}

TEST_CASE("a damaged state.json is an error naming the file") {
    auto r = parse_record("{\"id\": 3}", "/run/x/state.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/run/x/state.json") != std::string::npos);
    CHECK_FALSE(parse_record("not json", "f").ok());
}

TEST_CASE("container directories: create, duplicate, open, list, remove") {
    std::string root = temp_root();
    {
        auto d = ContainerDir::create(root, "c1");
        REQUIRE(d.ok());
        REQUIRE(d->save(sample("c1")).ok());
        auto again = ContainerDir::create(root, "c1");
        REQUIRE_FALSE(again.ok());
        CHECK(again.error().message == "container with given ID already exists");
        // no temporary directory is left behind by the failed create
        auto ids = list_ids(root);
        REQUIRE(ids.ok());
        CHECK(*ids == std::vector<std::string>{"c1"});
    }
    auto missing = ContainerDir::open(root, "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "container does not exist");

    auto d = ContainerDir::open(root, "c1");
    REQUIRE(d.ok());
    auto rec = d->load();
    REQUIRE(rec.ok());
    CHECK(rec->bundle == "/b");
    auto unlocked = read_record(root, "c1");
    REQUIRE(unlocked.ok());
    CHECK(unlocked->init_pid == 4242);
    REQUIRE(d->remove().ok());
    CHECK(::access((root + "/c1").c_str(), F_OK) != 0);
    CHECK(::rmdir(root.c_str()) == 0);
}

TEST_CASE("the container lock excludes a second command") {
    std::string root = temp_root();
    auto d = ContainerDir::create(root, "locked");
    REQUIRE(d.ok());
    // Another open file description cannot take the lock while we hold it.
    int fd = ::open((root + "/locked").c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    CHECK(::flock(fd, LOCK_EX | LOCK_NB) != 0);
    // A command that must not wait (list, a create finding the id taken) is told so.
    auto busy = ContainerDir::open(root, "locked", /*wait=*/false);
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().code == EWOULDBLOCK);
    d->unlock();
    CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    ::close(fd);
    CHECK(ContainerDir::open(root, "locked", /*wait=*/false).ok());
    REQUIRE(d->remove().ok());
    ::rmdir(root.c_str());
}

TEST_CASE("state.json is replaced atomically") {
    std::string root = temp_root();
    std::string p = root + "/f.json";
    REQUIRE(write_file_atomic(p, "one").ok());
    REQUIRE(write_file_atomic(p, "two").ok());
    auto t = read_file(p);
    REQUIRE(t.ok());
    CHECK(*t == "two");
    CHECK(::access((p + ".tmp").c_str(), F_OK) != 0);
    ::unlink(p.c_str());
    ::rmdir(root.c_str());
}

TEST_CASE("created time is RFC 3339 with nanoseconds in UTC") {
    std::string t = rfc3339_now();
    REQUIRE(t.size() == 30);
    CHECK(t[4] == '-');
    CHECK(t[10] == 'T');
    CHECK(t[19] == '.');
    CHECK(t.back() == 'Z');
}
