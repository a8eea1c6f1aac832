// Path cleaning and in-root resolution: nothing in an image can point a lookup outside it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "linux/safe_path.hpp"

using namespace skiff;
using namespace skiff::runtime::linux;

TEST_CASE("clean_path clamps .. at the root and drops . and empty parts") {
    CHECK(clean_path("/a/./b//../c/") == "/a/c");
    CHECK(clean_path("../../etc/passwd") == "/etc/passwd");
    CHECK(clean_path("/..") == "/");
    CHECK(clean_path("") == "/");
    CHECK(parent_path("/a/b") == "/a");
    CHECK(parent_path("/a") == "/");
    CHECK(base_name("/a/b") == "b");
}

TEST_CASE("mkdir_all_in_root and create_file_in_root stay inside through symlinks") {
    test::Bundle b;
    // etc -> /, abs -> /outside (absolute, dangling in the root), rel -> ../../../x
    b.symlink("/", "rootfs/etc2");
    b.symlink("/outside-target", "rootfs/abs");
    b.symlink("../../../../relx", "rootfs/rel");
    UniqueFd root(open(b.rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(root);

    bool followed = false;
    auto d = mkdir_all_in_root(root.get(), "/etc2/made/here", 0755, &followed);
    REQUIRE(d.ok());
    CHECK(followed);
    CHECK(access((b.rootfs() + "/made/here").c_str(), F_OK) == 0);
    CHECK(access("/made", F_OK) != 0);
    auto where = path_in_root(d->get(), b.rootfs());
    REQUIRE(where.ok());
    CHECK(*where == "/made/here");

    auto f = create_file_in_root(root.get(), "/abs", 0644);
    REQUIRE(f.ok());
    struct stat st{};
    CHECK(stat((b.rootfs() + "/outside-target").c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK(access("/outside-target", F_OK) != 0);

    auto r = mkdir_all_in_root(root.get(), "/rel/sub");
    REQUIRE(r.ok());
    CHECK(access((b.rootfs() + "/relx/sub").c_str(), F_OK) == 0);

    auto dots = mkdir_all_in_root(root.get(), "/../../../dots");
    REQUIRE(dots.ok());
    CHECK(access((b.rootfs() + "/dots").c_str(), F_OK) == 0);

    followed = false;
    auto plain = open_in_root(root.get(), "/bin", O_PATH, &followed);
    REQUIRE(plain.ok());
    CHECK_FALSE(followed);
    auto missing = open_in_root(root.get(), "/nope", O_PATH);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().message == "open /nope: ENOENT");
}
