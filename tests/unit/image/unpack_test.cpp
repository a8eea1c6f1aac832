#include "helpers.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "skiff/oci/image/unpack.hpp"

using namespace skiff::image;
using testutil::Entry;
using testutil::TempDir;

namespace {

std::string unpack_bytes(const TempDir& t, const std::string& tar, const std::string& dest,
                         UnpackLimits limits = {}, std::string* err = nullptr) {
    testutil::spit(t / "layer.tar", tar);
    auto r = unpack_layer(t / "layer.tar", dest, "layer L", limits);
    if (!r) {
        if (err) *err = r.error().message;
        return "";
    }
    return r->diff_id;
}

bool empty_dir(const std::string& p) {
    return std::system(("test -d '" + p + "' && test -z \"$(ls -A '" + p + "')\"").c_str()) == 0;
}

} // namespace

TEST_CASE("unpack keeps files, links, devices, owners, modes, xattrs and times") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (chown, mknod)");
        return;
    }
    TempDir t;
    std::vector<Entry> entries = {
        {"./", 'd', "", 0755},
        {"./bin/", 'd', "", 0750, 0, 0, 0, 0, 1500000000},
        {"./bin/tool", 'f', "#!/bin/sh\necho hi\n", 04755, 1000, 1001},
        {"./bin/alias", 'h', "./bin/tool"},
        {"./etc/passwd", 'f', "root:x:0:0::/:/bin/sh\n", 0600},
        {"./link-out", 'l', "/etc/shadow"},
        {"./link-rel", 'l', "../../../../etc"},
        {"./dev/null", 'c', "", 0666, 0, 0, 1, 3},
        {"./dev/loop9", 'b', "", 0660, 0, 6, 7, 9},
        {"./run/fifo", 'p', "", 0640},
        {"./x", 'f', "data", 0644, 0, 0, 0, 0, 1600000000, {{"user.note", "v1"}}},
    };
    for (const char* comp : {"", "gzip", "zstd"}) {
        INFO("compression " << comp);
        std::string dest = t / (std::string("out-") + (*comp ? comp : "plain"));
        std::string diff = unpack_bytes(t, testutil::make_tar(entries, comp), dest);
        CHECK(diff == testutil::diff_id_of(testutil::make_tar(entries)));
        struct stat st;
        REQUIRE(::lstat((dest + "/bin/tool").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 04755); // setuid survives the chown
        CHECK(st.st_uid == 1000);
        CHECK(st.st_gid == 1001);
        CHECK(st.st_nlink == 2);
        CHECK(testutil::slurp(dest + "/bin/alias") == "#!/bin/sh\necho hi\n");
        REQUIRE(::lstat((dest + "/bin").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0750);
        CHECK(st.st_mtime == 1500000000); // set after its children were created
        char buf[256];
        ssize_t n = ::readlink((dest + "/link-out").c_str(), buf, sizeof buf);
        CHECK(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "/etc/shadow");
        REQUIRE(::lstat((dest + "/dev/null").c_str(), &st) == 0);
        CHECK(S_ISCHR(st.st_mode));
        CHECK(st.st_rdev == makedev(1, 3));
        REQUIRE(::lstat((dest + "/dev/loop9").c_str(), &st) == 0);
        CHECK(S_ISBLK(st.st_mode));
        CHECK(st.st_gid == 6);
        REQUIRE(::lstat((dest + "/run/fifo").c_str(), &st) == 0);
        CHECK(S_ISFIFO(st.st_mode));
        REQUIRE(::lstat((dest + "/x").c_str(), &st) == 0);
        CHECK(st.st_mtime == 1600000000);
        n = ::getxattr((dest + "/x").c_str(), "user.note", buf, sizeof buf);
        CHECK(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "v1");
    }
}

TEST_CASE("unpack turns whiteouts into overlay whiteouts and opaque markers into xattrs") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (mknod, trusted xattrs)");
        return;
    }
    TempDir t;
    std::string dest = t / "out";
    unpack_bytes(t,
                 testutil::make_tar({{"etc/.wh.motd", 'f', ""},
                                     {"var/cache/", 'd', "", 0755},
                                     {"var/cache/.wh..wh..opq", 'f', ""},
                                     {"var/cache/new", 'f', "n"},
                                     {"x/.wh..wh.plnk", 'f', ""}}),
                 dest);
    struct stat st;
    REQUIRE(::lstat((dest + "/etc/motd").c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == makedev(0, 0));
    CHECK(::lstat((dest + "/etc/.wh.motd").c_str(), &st) != 0);
    char v[4] = {};
    CHECK(::getxattr((dest + "/var/cache").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
    CHECK(v[0] == 'y');
    CHECK(::lstat((dest + "/var/cache/.wh..wh..opq").c_str(), &st) != 0);
    CHECK(testutil::slurp(dest + "/var/cache/new") == "n");
}

TEST_CASE("a layer cannot forge overlay metadata through xattrs") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    std::string dest = t / "out";
    unpack_bytes(t, testutil::make_tar({{"d/", 'd', "", 0755, 0, 0, 0, 0, 1, {{"trusted.overlay.opaque", "y"}}}}),
                 dest);
    char v[4];
    CHECK(::getxattr((dest + "/d").c_str(), "trusted.overlay.opaque", v, sizeof v) < 0);
}

TEST_CASE("hostile layers are rejected naming the entry, touching nothing outside") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    std::string outside = t / "outside";
    ::mkdir(outside.c_str(), 0755);
    testutil::spit(outside + "/passwd", "original");

    struct Case {
        const char* name;
        std::vector<Entry> entries;
        std::string expect;
        UnpackLimits limits{};
    };
    std::vector<Case> cases = {
        {"dot-dot traversal", {{"ok", 'f', "1"}, {"../../outside/passwd", 'f', "pwned"}},
         "layer L: entry \"../../outside/passwd\": path leaves the layer (\"..\")"},
        {"dot-dot in the middle", {{"a/../../outside/passwd", 'f', "pwned"}},
         "layer L: entry \"a/../../outside/passwd\": path leaves the layer (\"..\")"},
        {"absolute path", {{outside + "/passwd", 'f', "pwned"}},
         "layer L: entry \"" + outside + "/passwd\": absolute path"},
        {"write through a symlink escape", {{"evil", 'l', outside}, {"evil/passwd", 'f', "pwned"}},
         "layer L: entry \"evil/passwd\": parent \"evil\" is or goes through a symlink"},
        {"write through a relative symlink escape",
         {{"a/", 'd'}, {"a/up", 'l', "../../../outside"}, {"a/up/passwd", 'f', "pwned"}},
         "layer L: entry \"a/up/passwd\": parent \"a/up\" is or goes through a symlink"},
        {"hard link to a path outside", {{"h", 'h', "../outside/passwd"}},
         "layer L: entry \"h\": hard link target \"../outside/passwd\": path leaves the layer (\"..\")"},
        {"hard link to an absolute path", {{"h", 'h', outside + "/passwd"}},
         "layer L: entry \"h\": hard link target \"" + outside + "/passwd\": absolute path"},
        {"hard link through a symlink", {{"s", 'l', outside}, {"h", 'h', "s/passwd"}},
         "layer L: entry \"h\": hard link target \"s/passwd\": Too many levels of symbolic links"},
        {"whiteout escaping", {{".wh...", 'f', ""}}, "layer L: entry \".wh...\": invalid whiteout name"},
        {"tar bomb by size", {{"a", 'f', std::string(600, 'a')}, {"b", 'f', std::string(600, 'b')}},
         "layer L: entry \"b\": layer exceeds the size limit of 1000 bytes", {1000, 100}},
        {"tar bomb by declared size", {{"big", 'f', "", 0644, 0, 0, 0, 0, 1, {}, 5000}},
         "layer L: entry \"big\": file of 5000 bytes exceeds the layer size limit of 1000", {1000, 100}},
        {"tar bomb by entries", {{"1", 'f'}, {"2", 'f'}, {"3", 'f'}, {"4", 'f'}},
         "layer L: more than 3 entries", {1000, 3}},
    };
    for (auto& c : cases) {
        INFO(c.name);
        std::string dest = t / "dest";
        std::string err;
        CHECK(unpack_bytes(t, testutil::make_tar(c.entries, "gzip"), dest, c.limits, &err).empty());
        CHECK(err == c.expect);
        struct stat st;
        CHECK(::lstat(dest.c_str(), &st) != 0); // no half-unpacked layer left
        CHECK(testutil::slurp(outside + "/passwd") == "original");
        CHECK(std::system(("test \"$(ls -A '" + outside + "')\" = passwd").c_str()) == 0);
    }
}

TEST_CASE("a truncated or corrupt layer fails without leaving a directory") {
    TempDir t;
    std::string tar = testutil::make_tar({{"a", 'f', std::string(100000, 'z')}}, "gzip");
    std::string err;
    CHECK(unpack_bytes(t, tar.substr(0, tar.size() / 2), t / "d", {}, &err).empty());
    CHECK(err.rfind("layer L: ", 0) == 0);
    struct stat st;
    CHECK(::lstat((t / "d").c_str(), &st) != 0);
    CHECK(unpack_bytes(t, "this is not a tar archive at all, not even close........", t / "d", {}, &err)
              .empty());
    CHECK(err.rfind("layer L: ", 0) == 0);
    CHECK(::lstat((t / "d").c_str(), &st) != 0);
}

TEST_CASE("ensure_layers unpacks each layer once and checks its diff id") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    auto md = testutil::add_image(store, "a", {{{"f", 'f', "1"}}, {{"g", 'f', "2"}}}, "{}", "zstd");
    auto img = store.image(md).value();
    REQUIRE(ensure_layers(store, img).ok());
    CHECK(testutil::slurp(store.layer_path(img.config.diff_ids[1]) + "/g") == "2");
    struct stat before, after;
    ::stat(store.layer_path(img.config.diff_ids[0]).c_str(), &before);
    REQUIRE(ensure_layers(store, img).ok());
    ::stat(store.layer_path(img.config.diff_ids[0]).c_str(), &after);
    CHECK(before.st_ino == after.st_ino);

    // An image whose config lies about a diff id: rejected, nothing unpacked for it.
    auto bad = img;
    bad.config.diff_ids[0] = sha256_digest("lie");
    auto r = ensure_layers(store, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "layer " + img.manifest.layers[0].digest +
                                   ": uncompressed content has digest " + img.config.diff_ids[0] +
                                   ", image config says " + bad.config.diff_ids[0]);
    CHECK_FALSE(store.has_layer(bad.config.diff_ids[0]));
    CHECK(empty_dir(t / "tmp"));
}

TEST_CASE("a layer's unpacked size is its tar stream, recorded at unpack or computed from the blob") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    auto store = Store::open(t.path).value();
    std::vector<testutil::Entry> files = {{"d", 'd', ""}, {"d/big", 'f', std::string(5000, 'x')}};
    const uint64_t tar_len = testutil::make_tar(files).size();
    auto md = testutil::add_image(store, "a", {files}, "{}", "gzip");
    auto img = store.image(md).value();
    const auto& layer = img.manifest.layers[0];
    const auto& diff_id = img.config.diff_ids[0];
    REQUIRE(uint64_t(layer.size) < tar_len); // compressed: the blob's size is not the answer
    const std::string size_file = store.layer_path(diff_id) + ".size";

    // Never unpacked: computed from the blob, and recorded.
    CHECK(layer_unpacked_size(store, layer, diff_id).value() == tar_len);
    CHECK(testutil::slurp(size_file) == std::to_string(tar_len) + "\n");

    // Unpacking records it with the layer; then the blob is not needed.
    ::unlink(size_file.c_str());
    REQUIRE(ensure_layers(store, img).ok());
    CHECK(testutil::slurp(size_file) == std::to_string(tar_len) + "\n");
    REQUIRE(store.remove_blob(layer.digest).ok());
    CHECK(layer_unpacked_size(store, layer, diff_id).value() == tar_len);

    // A torn size file (a crash) is not believed; without the blob that is an error.
    testutil::spit(size_file, "12");
    auto gone = layer_unpacked_size(store, layer, diff_id);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().message == "layer " + layer.digest + ": blob not in the store");

    // A config lying about the diff id records nothing under the lie.
    auto md2 = testutil::add_image(store, "b", {{{"e", 'f', "1"}}}, "{}", "zstd");
    auto img2 = store.image(md2).value();
    std::string lie = sha256_digest("lie");
    auto r = layer_unpacked_size(store, img2.manifest.layers[0], lie);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("does not match diff id " + lie) != std::string::npos);
    CHECK_FALSE(::access((store.layer_path(lie) + ".size").c_str(), F_OK) == 0);
}

TEST_CASE("two processes unpacking the same layer both succeed, one copy stays") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root");
        return;
    }
    TempDir t;
    std::vector<Entry> big;
    for (int i = 0; i < 300; ++i) big.push_back({"d/f" + std::to_string(i), 'f', std::string(1000, 'a' + i % 26)});
    std::string md;
    {
        auto store = Store::open(t.path).value();
        md = testutil::add_image(store, "a", {big});
    }
    std::vector<pid_t> kids;
    for (int k = 0; k < 2; ++k) {
        pid_t pid = ::fork();
        if (pid == 0) {
            auto s = Store::open(t.path).value();
            auto img = s.image(md);
            _exit(img && ensure_layers(s, *img) ? 0 : 1);
        }
        kids.push_back(pid);
    }
    for (pid_t p : kids) {
        int status;
        ::waitpid(p, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    auto store = Store::open(t.path).value();
    auto img = store.image(md).value();
    CHECK(testutil::slurp(store.layer_path(img.config.diff_ids[0]) + "/d/f27") == std::string(1000, 'b'));
    CHECK(empty_dir(t / "tmp"));
    // One layer and its recorded size (layer_unpacked_size), no leftover of the loser.
    CHECK(std::system(("test $(ls -A " + t.path + "/layers | wc -l) = 2").c_str()) == 0);
    CHECK(::access((store.layer_path(img.config.diff_ids[0]) + ".size").c_str(), F_OK) == 0);
}
