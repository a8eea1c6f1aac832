#include "helpers.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include "skiff/oci/image/unpack.hpp"

using namespace skiff::image;
using testutil::Entry;
using testutil::TempDir;

namespace {

bool exists(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
}

bool mounted(const std::string& p) {
    return std::system(("grep -q ' " + p + " ' /proc/self/mounts").c_str()) == 0;
}

std::vector<std::vector<Entry>> two_layers() {
    return {
        {{"a", 'f', "1"},
         {"etc/", 'd', "", 0755},
         {"etc/motd", 'f', "hello"},
         {"var/cache/", 'd', "", 0755},
         {"var/cache/old", 'f', "old"},
         {"keep/x", 'f', "x", 0600, 33, 33},
         {"bin/sh", 'f', "sh", 0755},
         {"bin/ln", 'h', "bin/sh"},
         {"lnk", 'l', "/etc/motd"}},
        {{"a", 'f', "2"},
         {"etc/.wh.motd", 'f', ""},
         {"var/cache/", 'd', "", 0755},
         {"var/cache/.wh..wh..opq", 'f', ""},
         {"var/cache/new", 'f', "new"}},
    };
}

void check_merged_view(const std::string& r) {
    CHECK(testutil::slurp(r + "/a") == "2");
    CHECK_FALSE(exists(r + "/etc/motd"));
    CHECK(exists(r + "/etc"));
    CHECK_FALSE(exists(r + "/var/cache/old"));
    CHECK(testutil::slurp(r + "/var/cache/new") == "new");
    CHECK(testutil::slurp(r + "/keep/x") == "x");
    struct stat st, st2;
    REQUIRE(::lstat((r + "/keep/x").c_str(), &st) == 0);
    CHECK(st.st_uid == 33);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::lstat((r + "/bin/sh").c_str(), &st) == 0);
    REQUIRE(::lstat((r + "/bin/ln").c_str(), &st2) == 0);
    CHECK(st.st_ino == st2.st_ino);
    char buf[64];
    ssize_t n = ::readlink((r + "/lnk").c_str(), buf, sizeof buf);
    CHECK(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "/etc/motd");
}

} // namespace

TEST_CASE("container rootfs: overlay of shared layers, per-container upper") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (overlay mounts)");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    auto img = store.image(testutil::add_image(store, "img", two_layers())).value();
    auto c1 = create_rootfs(store, img, "c1");
    REQUIRE(c1.ok());
    auto c2 = create_rootfs(store, img, "c2");
    REQUIRE(c2.ok());
    CHECK(c1->overlay);
    CHECK(mounted(c1->rootfs));
    check_merged_view(c1->rootfs);
    check_merged_view(c2->rootfs);

    // A write in one container lands in its upper dir only.
    testutil::spit(c1->rootfs + "/a", "changed");
    CHECK(testutil::slurp(c2->rootfs + "/a") == "2");
    CHECK(testutil::slurp(c1->dir + "/upper/a") == "changed");
    CHECK(testutil::slurp(store.layer_path(img.config.diff_ids[1]) + "/a") == "2");

    auto dup = create_rootfs(store, img, "c1");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("already exists") != std::string::npos);
    CHECK(mounted(c1->rootfs)); // the failed duplicate did not tear down c1

    // After an unmount (a reboot), mount_rootfs brings the container's root back.
    REQUIRE(::umount2(c1->rootfs.c_str(), MNT_DETACH) == 0);
    REQUIRE(mount_rootfs(store, "c1").ok());
    CHECK(testutil::slurp(c1->rootfs + "/a") == "changed");
    REQUIRE(mount_rootfs(store, "c1").ok()); // already mounted: nothing to do

    // A layers file a crash emptied (it is not fsynced) is an error, not an empty root.
    REQUIRE(::umount2(c2->rootfs.c_str(), MNT_DETACH) == 0);
    testutil::spit(c2->dir + "/layers", "");
    auto lost = mount_rootfs(store, "c2");
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().message.find(c2->dir + "/layers is empty") != std::string::npos);
    CHECK_FALSE(mounted(c2->rootfs));

    REQUIRE(remove_rootfs(store, "c1").ok());
    REQUIRE(remove_rootfs(store, "c2").ok());
    CHECK_FALSE(mounted(c1->rootfs));
    CHECK_FALSE(exists(c1->dir));
    CHECK(remove_rootfs(store, "c1").ok());
}

TEST_CASE("container rootfs: the copy fallback gives the same view") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (whiteouts, chown)");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    auto img = store.image(testutil::add_image(store, "img", two_layers())).value();
    auto c = create_rootfs(store, img, "c", {.force_copy = true});
    REQUIRE(c.ok());
    CHECK_FALSE(c->overlay);
    CHECK_FALSE(mounted(c->rootfs));
    check_merged_view(c->rootfs);
    testutil::spit(c->rootfs + "/a", "changed");
    CHECK(testutil::slurp(store.layer_path(img.config.diff_ids[1]) + "/a") == "2");
    REQUIRE(remove_rootfs(store, "c").ok());
    CHECK_FALSE(exists(c->dir));
}

TEST_CASE("container rootfs: a failing layer leaves no container directory") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    auto img = store.image(testutil::add_image(store, "img", {{{"../x", 'f', "1"}}})).value();
    auto c = create_rootfs(store, img, "c");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("entry \"../x\": path leaves the layer") != std::string::npos);
    CHECK_FALSE(exists(store.containers_dir() + "/c"));
    CHECK_FALSE(exists(t / "x"));
    CHECK_FALSE(create_rootfs(store, img, "../evil").ok());
}
