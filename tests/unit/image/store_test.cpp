#include "helpers.hpp"

#include <sys/wait.h>
#include <thread>

#include "skiff/oci/image/reference.hpp"
#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"

using namespace skiff::image;
using testutil::TempDir;

TEST_CASE("store creates its layout and keeps blobs by digest") {
    TempDir t;
    auto store = Store::open(t / "store").value();
    struct stat st;
    for (const char* d : {"blobs/sha256", "layers", "containers", "tmp"})
        CHECK((::stat((t / "store/" + d).c_str(), &st) == 0 && S_ISDIR(st.st_mode)));
    CHECK(::stat((t / "store/lock").c_str(), &st) == 0);

    bool added = false;
    auto d = store.put_blob("hello", "", &added);
    REQUIRE(d.ok());
    CHECK(added);
    CHECK(*d == sha256_digest("hello"));
    CHECK(testutil::slurp(store.blob_path(*d)) == "hello");
    CHECK(store.read_blob(*d).value() == "hello");
    // Same content again: not added twice.
    CHECK(store.put_blob("hello", "", &added).ok());
    CHECK_FALSE(added);
}

TEST_CASE("store rejects a blob whose digest or size does not match, leaving nothing") {
    TempDir t;
    auto store = Store::open(t.path).value();
    std::string wrong = sha256_digest("other");
    auto r = store.put_blob("hello", wrong);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "blob " + wrong + ": content has digest " + sha256_digest("hello"));
    CHECK_FALSE(store.has_blob(sha256_digest("hello")));
    CHECK_FALSE(store.has_blob(wrong));
    testutil::spit(t / "f", "abcdef");
    auto r2 = store.put_blob_file(t / "f", sha256_digest("abcdef"), 3);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().message.find("larger than its declared size 3") != std::string::npos);
    CHECK(testutil::slurp(t / "tmp") == "");
    CHECK(std::system(("test -z \"$(ls -A " + t.path + "/tmp)\"").c_str()) == 0);
    CHECK(std::system(("test -z \"$(ls -A " + t.path + "/blobs/sha256)\"").c_str()) == 0);
}

TEST_CASE("a corrupted blob is detected on read") {
    TempDir t;
    auto store = Store::open(t.path).value();
    auto d = store.put_blob("{}").value();
    testutil::spit(store.blob_path(d), "{\"x\":1}");
    auto r = store.read_blob(d);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("does not match its digest") != std::string::npos);
}

TEST_CASE("references resolve, retag and untag, and unknown ones name the image") {
    TempDir t;
    auto store = Store::open(t.path).value();
    auto md = testutil::add_image(store, "busybox", {{{"a", 'f', "x"}}});
    CHECK(store.resolve(parse_reference("busybox:latest").value()).value() == md);
    CHECK(store.resolve(parse_reference("docker.io/library/busybox").value()).value() == md);
    CHECK(store.resolve(parse_reference("busybox@" + md).value()).value() == md);
    auto missing = store.resolve(parse_reference("busybox:1").value());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "image not found: busybox:1");

    REQUIRE(store.set_reference(parse_reference("me/bb:v2").value(), md).ok());
    auto refs = store.references().value();
    CHECK(refs.size() == 2);
    CHECK(refs.at("docker.io/me/bb:v2") == md);
    // The index is a JSON file readers can inspect.
    CHECK(testutil::slurp(t / "index.json").find("\"docker.io/me/bb:v2\": \"" + md + "\"") !=
          std::string::npos);

    auto img = store.image(md).value();
    CHECK(store.resolve_name(digest_hex(img.config_digest).substr(0, 12)).value() == md);
    CHECK(store.resolve_name("me/bb:v2").value() == md);
    CHECK_FALSE(store.resolve_name("Bad Name").ok());

    REQUIRE(store.remove_reference(parse_reference("me/bb:v2").value()).ok());
    auto again = store.remove_reference(parse_reference("me/bb:v2").value());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message == "image not found: me/bb:v2");
}

TEST_CASE("gc removes what no reference reaches and keeps the rest") {
    TempDir t;
    auto store = Store::open(t.path).value();
    auto keep = testutil::add_image(store, "keep", {{{"k", 'f', "keep"}}});
    auto drop = testutil::add_image(store, "drop", {{{"d", 'f', "drop"}}, {{"e", 'f', "e"}}});
    auto stray = store.put_blob("stray").value();
    auto kimg = store.image(keep).value();
    auto dimg = store.image(drop).value();
    testutil::spit(t / "tmp/leftover", "partial");
    REQUIRE(store.remove_reference(parse_reference("drop").value()).ok());

    auto st = store.gc().value();
    CHECK(st.blobs_removed == 5); // stray, drop's manifest, config and two layers
    CHECK(st.bytes_freed > 0);
    CHECK_FALSE(store.has_blob(stray));
    CHECK_FALSE(store.has_blob(drop));
    CHECK_FALSE(store.has_blob(dimg.manifest.layers[0].digest));
    CHECK(store.has_blob(keep));
    CHECK(store.has_blob(kimg.config_digest));
    CHECK(store.has_blob(kimg.manifest.layers[0].digest));
    struct stat sb;
    CHECK(::stat((t / "tmp/leftover").c_str(), &sb) != 0);
    CHECK(store.gc().value().blobs_removed == 0);
}

TEST_CASE("gc removes unpacked layers unless an image or a container uses them") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (overlay whiteouts and mounts)");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    auto a = testutil::add_image(store, "a", {{{"a", 'f', "a"}}});
    auto b = testutil::add_image(store, "b", {{{"b", 'f', "b"}}});
    auto ia = store.image(a).value();
    auto ib = store.image(b).value();
    REQUIRE(ensure_layers(store, ia).ok());
    auto rootfs = create_rootfs(store, ib, "ctr1", {.force_copy = true});
    REQUIRE(rootfs.ok());
    REQUIRE(store.remove_reference(parse_reference("a").value()).ok());
    REQUIRE(store.remove_reference(parse_reference("b").value()).ok());
    SECTION("the container's layers file names what it uses") {
        auto st = store.gc().value();
        CHECK(st.layers_removed == 1);
        CHECK_FALSE(store.has_layer(ia.config.diff_ids[0]));
        CHECK(store.has_layer(ib.config.diff_ids[0])); // ctr1 still uses it
    }
    SECTION("a layers file a crash emptied (it is not fsynced) keeps every layer") {
        testutil::spit(rootfs->dir + "/layers", "");
        CHECK(store.gc().value().layers_removed == 0);
        CHECK(store.has_layer(ia.config.diff_ids[0]));
        CHECK(store.has_layer(ib.config.diff_ids[0]));
        CHECK(mount_rootfs(store, "ctr1").ok()); // a copied root needs no mount
    }
    REQUIRE(remove_rootfs(store, "ctr1").ok());
    CHECK(store.gc().value().layers_removed >= 1);
    CHECK_FALSE(store.has_layer(ib.config.diff_ids[0]));
}

TEST_CASE("the store lock excludes a second writer in another process") {
    TempDir t;
    auto store = Store::open(t.path).value();
    auto guard = store.lock(Store::LockMode::Exclusive).value();
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        auto other = Store::open(t.path).value();
        auto g = other.lock(Store::LockMode::Shared).value();
        char c = 'x';
        (void)!::write(pipefd[1], &c, 1);
        _exit(0);
    }
    ::close(pipefd[1]);
    // The child cannot take even a shared lock while we hold the exclusive one.
    struct timeval tv = {0, 300000};
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(pipefd[0], &fds);
    CHECK(::select(pipefd[0] + 1, &fds, nullptr, nullptr, &tv) == 0);
    { auto moved = std::move(guard); } // release
    char c;
    CHECK(::read(pipefd[0], &c, 1) == 1);
    int status;
    ::waitpid(pid, &status, 0);
    ::close(pipefd[0]);
    CHECK(WIFEXITED(status));
}

TEST_CASE("concurrent writers of the same references both land") {
    TempDir t;
    { auto s = Store::open(t.path).value(); testutil::add_image(s, "base", {{{"x", 'f', "x"}}}); }
    std::vector<pid_t> kids;
    for (int k = 0; k < 2; ++k) {
        pid_t pid = ::fork();
        if (pid == 0) {
            auto s = Store::open(t.path).value();
            auto md = s.resolve(parse_reference("base").value()).value();
            for (int i = 0; i < 30; ++i)
                if (!s.set_reference(parse_reference("p" + std::to_string(k) + ":" + std::to_string(i)).value(), md))
                    _exit(1);
            _exit(0);
        }
        kids.push_back(pid);
    }
    for (pid_t p : kids) {
        int status;
        ::waitpid(p, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    auto s = Store::open(t.path).value();
    CHECK(s.references().value().size() == 61);
}
