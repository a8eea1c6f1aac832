// Translation of OCI mount options (runc's tables) into flags, attributes and data.
#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "linux/mount_options.hpp"

using namespace skiff::runtime::linux;

TEST_CASE("mount options: flags set and cleared, last atime mode wins") {
    auto mo = parse_mount_options({"ro", "nosuid", "nodev", "noexec", "sync", "dirsync", "mand",
                                   "noatime", "nodiratime", "relatime", "nosymfollow", "remount",
                                   "lazytime", "iversion", "silent", "acl"},
                                  false);
    REQUIRE(mo.ok());
    const unsigned long want = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
                               MS_DIRSYNC | MS_MANDLOCK | MS_NODIRATIME | MS_RELATIME |
                               MS_NOSYMFOLLOW | MS_REMOUNT | MS_LAZYTIME | MS_I_VERSION |
                               MS_SILENT | MS_POSIXACL;
    CHECK(mo->flags == want);
    CHECK(mo->data.empty());

    auto back = parse_mount_options({"ro", "nosuid", "rw", "suid", "dev", "exec", "async",
                                     "nomand", "atime", "diratime", "norelatime",
                                     "nostrictatime", "strictatime", "loud", "noacl",
                                     "nolazytime", "noiversion", "defaults"},
                                    false);
    REQUIRE(back.ok());
    CHECK(back->flags == MS_STRICTATIME);
    CHECK((back->cleared & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) ==
          (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
}

TEST_CASE("mount options: bind, rbind, propagation in order, recursive attributes") {
    auto mo = parse_mount_options({"rbind", "rprivate", "shared", "runbindable", "rro", "rnosuid",
                                   "rnoatime", "rnosymfollow", "rexec"},
                                  true);
    REQUIRE(mo.ok());
    CHECK(mo->bind());
    CHECK(mo->recursive_bind());
    REQUIRE(mo->propagation.size() == 3);
    CHECK(mo->propagation[0] == (MS_PRIVATE | MS_REC));
    CHECK(mo->propagation[1] == MS_SHARED);
    CHECK(mo->propagation[2] == (MS_UNBINDABLE | MS_REC));
    CHECK(mo->rec_attr_set ==
          (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME | MOUNT_ATTR_NOSYMFOLLOW));
    CHECK((mo->rec_attr_clr & MOUNT_ATTR_NOEXEC) != 0);
    CHECK((mo->rec_attr_clr & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME);

    auto plain = parse_mount_options({"bind"}, true);
    REQUIRE(plain.ok());
    CHECK(plain->bind());
    CHECK_FALSE(plain->recursive_bind());
    for (const char* p : {"private", "slave", "rslave", "rshared", "unbindable"}) {
        auto one = parse_mount_options({p}, false);
        REQUIRE(one.ok());
        CHECK(one->propagation.size() == 1);
    }
}

TEST_CASE("mount options: filesystem data passes through, extensions, idmap") {
    auto mo = parse_mount_options({"nosuid", "mode=755", "size=65536k", "newinstance",
                                   "tmpcopyup", "x-systemd.automount"},
                                  false);
    REQUIRE(mo.ok());
    CHECK(mo->data_string() == "mode=755,size=65536k,newinstance");
    CHECK(mo->tmpcopyup);
    auto id = parse_mount_options({"bind", "ridmap"}, true);
    REQUIRE(id.ok());
    CHECK(id->idmap);
    CHECK(id->recursive_idmap);
}

TEST_CASE("mount options: an unknown option on a bind mount is an error naming it") {
    auto mo = parse_mount_options({"rbind", "rprivat"}, true);
    REQUIRE_FALSE(mo.ok());
    CHECK(mo.error().message.find("\"rprivat\"") != std::string::npos);
    CHECK_FALSE(parse_mount_options({""}, false).ok());
    CHECK(is_bind_mount("none", {"ro", "rbind"}));
    CHECK(is_bind_mount("bind", {}));
    CHECK_FALSE(is_bind_mount("tmpfs", {"ro"}));
}
