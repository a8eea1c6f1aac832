#include "helpers.hpp"

#include <sys/stat.h>

#include "skiff/oci/image/load.hpp"
#include "skiff/oci/image/unpack.hpp"

using namespace skiff::image;
using testutil::Entry;
using testutil::TempDir;

namespace {

// Writes an OCI layout by hand, the way skopeo/buildah do.
struct Layout {
    std::string dir;
    explicit Layout(std::string d) : dir(std::move(d)) {
        REQUIRE(std::system(("mkdir -p " + dir + "/blobs/sha256").c_str()) == 0);
        testutil::spit(dir + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    }
    Descriptor blob(const std::string& data, const std::string& media_type) {
        Descriptor d;
        d.media_type = media_type;
        d.digest = sha256_digest(data);
        d.size = int64_t(data.size());
        testutil::spit(dir + "/blobs/sha256/" + digest_hex(d.digest), data);
        return d;
    }
    // An image with one layer holding /hello; returns the manifest descriptor.
    Descriptor image(const std::string& content, const std::string& arch = "amd64") {
        std::string plain = testutil::make_tar({{"hello", 'f', content}});
        Manifest m;
        m.media_type = media::kOciManifest;
        m.layers.push_back(blob(testutil::make_tar({{"hello", 'f', content}}, "gzip"), media::kOciLayerGzip));
        m.config = blob("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/hello\"]},"
                        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256_digest(plain) + "\"]}}",
                        media::kOciConfig);
        return blob(dump_manifest(m), media::kOciManifest);
    }
    void index(std::vector<Descriptor> ms) {
        Index idx;
        idx.media_type = media::kOciIndex;
        idx.manifests = std::move(ms);
        testutil::spit(dir + "/index.json", dump_index(idx));
    }
};

size_t blob_count(const std::string& store_root) {
    size_t n = 0;
    FILE* p = ::popen(("ls " + store_root + "/blobs/sha256 | wc -l").c_str(), "r");
    if (p) {
        if (std::fscanf(p, "%zu", &n) != 1) n = 0;
        ::pclose(p);
    }
    return n;
}

} // namespace

TEST_CASE("load an OCI layout: names from annotations or the given name") {
    TempDir t;
    auto store = Store::open(t / "store").value();
    Layout l(t / "layout");
    auto m = l.image("v1");
    m.annotations[kRefNameAnnotation] = "1.0";
    l.index({m});

    auto noname = load_image(store, l.dir);
    REQUIRE_FALSE(noname.ok());
    CHECK(noname.error().message == l.dir + ": index.json: manifests[0]: the image has only the tag "
                                            "\"1.0\"; give a repository name to load it as");
    CHECK(blob_count(t / "store") == 0);

    auto r = load_image(store, l.dir, {.name = "busybox"});
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].reference == "docker.io/library/busybox:1.0");
    CHECK((*r)[0].manifest_digest == m.digest);
    CHECK(store.resolve(parse_reference("busybox:1.0").value()).value() == m.digest);
    auto img = store.image(m.digest).value();
    CHECK(img.config.cmd == std::vector<std::string>{"/hello"});

    // A full name in the annotation is kept.
    m.annotations[kRefNameAnnotation] = "localhost:5000/team/app:2";
    l.index({m});
    CHECK(load_image(store, l.dir).value()[0].reference == "localhost:5000/team/app:2");
    m.annotations = {{kContainerdNameAnnotation, "docker.io/library/x:y"}, {kRefNameAnnotation, "y"}};
    l.index({m});
    CHECK(load_image(store, l.dir).value()[0].reference == "docker.io/library/x:y");
}

TEST_CASE("load picks linux/amd64 from a multi-platform index") {
    TempDir t;
    auto store = Store::open(t / "store").value();
    Layout l(t / "layout");
    auto amd = l.image("amd64 content");
    amd.platform = Platform{"linux", "amd64", ""};
    auto arm = l.image("arm64 content", "arm64");
    arm.platform = Platform{"linux", "arm64", "v8"};
    Index inner;
    inner.media_type = media::kOciIndex;
    inner.manifests = {arm, amd};
    auto inner_d = l.blob(dump_index(inner), media::kOciIndex);
    inner_d.annotations[kRefNameAnnotation] = "docker.io/library/multi:latest";
    l.index({inner_d});
    auto r = load_image(store, l.dir).value();
    CHECK(r[0].manifest_digest == amd.digest);
    CHECK(store.has_blob(amd.digest));
    CHECK_FALSE(store.has_blob(arm.digest));

    // Only arm64 offered: the error lists what there is.
    inner.manifests = {arm};
    inner_d = l.blob(dump_index(inner), media::kOciIndex);
    inner_d.annotations[kRefNameAnnotation] = "docker.io/library/multi:arm";
    l.index({inner_d});
    auto bad = load_image(store, l.dir);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("no manifest for linux/amd64 (offers: linux/arm64)") != std::string::npos);
}

TEST_CASE("a layout with a corrupt or missing blob loads nothing") {
    TempDir t;
    auto store = Store::open(t / "store").value();
    Layout l(t / "layout");
    auto m = l.image("data");
    m.annotations[kRefNameAnnotation] = "a:b";
    l.index({m});
    auto img_m = parse_manifest(testutil::slurp(l.dir + "/blobs/sha256/" + digest_hex(m.digest)), "m").value();
    std::string layer_file = l.dir + "/blobs/sha256/" + digest_hex(img_m.layers[0].digest);
    std::string good = testutil::slurp(layer_file);
    std::string bad = good;
    bad[bad.size() / 2] ^= 1;
    testutil::spit(layer_file, bad);
    auto r = load_image(store, l.dir);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("layers[0]: blob " + img_m.layers[0].digest + ": content has digest") !=
          std::string::npos);
    CHECK(blob_count(t / "store") == 0);
    CHECK(store.references().value().empty());

    ::unlink(layer_file.c_str());
    r = load_image(store, l.dir);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("No such file or directory") != std::string::npos);
    CHECK(blob_count(t / "store") == 0);

    auto notlayout = load_image(store, t / "store");
    REQUIRE_FALSE(notlayout.ok());
    CHECK(notlayout.error().message.find("not an OCI image layout") != std::string::npos);
    auto missing = load_image(store, t / "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "load " + t / "nope" + ": No such file or directory");
}

TEST_CASE("save to an OCI archive and load it into another store") {
    TempDir t;
    auto a = Store::open(t / "a").value();
    auto md = testutil::add_image(a, "localhost:5000/app:1", {{{"x", 'f', "1"}}, {{"y", 'f', "2"}}},
                                  "{\"Env\":[\"A=1\"]}");
    REQUIRE(a.set_reference(parse_reference("app:latest").value(), md).ok());
    std::string out = t / "app.tar";
    REQUIRE(save_oci_archive(a, {parse_reference("localhost:5000/app:1").value(),
                                 parse_reference("app").value()}, out).ok());
    auto b = Store::open(t / "b").value();
    auto loaded = load_image(b, out).value();
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[0].reference == "localhost:5000/app:1");
    CHECK(loaded[1].reference == "docker.io/library/app:latest");
    CHECK(loaded[0].manifest_digest == md);
    CHECK(b.image(md).value().config.env == std::vector<std::string>{"A=1"});
    CHECK(blob_count(t / "b") == 4);

    auto missing = save_oci_archive(a, {parse_reference("nothere").value()}, t / "x.tar");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "image not found: nothere:latest");
    struct stat st;
    CHECK(::stat((t / "x.tar").c_str(), &st) != 0);
}

TEST_CASE("load a docker save archive (legacy layout with a shared layer symlink)") {
    TempDir t;
    std::string l1 = testutil::make_tar({{"bin/", 'd', "", 0755}, {"bin/sh", 'f', "sh", 0755}});
    std::string l2 = testutil::make_tar({{"etc/motd", 'f', "hi"}});
    std::string cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/sh\"],"
                      "\"User\":\"nobody\"},\"container_config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
                      sha256_digest(l1) + "\",\"" + sha256_digest(l2) + "\",\"" + sha256_digest(l1) + "\"]}}";
    std::string cfg_hex = digest_hex(sha256_digest(cfg));
    std::string manifest = "[{\"Config\":\"" + cfg_hex + ".json\",\"RepoTags\":[\"busybox:latest\",\"me/bb:2\"],"
                           "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\",\"ccc/layer.tar\"]}]";
    std::vector<Entry> entries = {
        {"aaa/", 'd', "", 0755}, {"aaa/VERSION", 'f', "1.0"}, {"aaa/json", 'f', "{}"}, {"aaa/layer.tar", 'f', l1},
        {"bbb/layer.tar", 'f', l2}, {"ccc/layer.tar", 'l', "../aaa/layer.tar"},
        {cfg_hex + ".json", 'f', cfg}, {"manifest.json", 'f', manifest},
        {"repositories", 'f', "{\"busybox\":{\"latest\":\"bbb\"}}"},
    };
    testutil::spit(t / "save.tar", testutil::make_tar(entries));
    auto store = Store::open(t / "store").value();
    auto r = load_image(store, t / "save.tar");
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].reference == "docker.io/library/busybox:latest");
    CHECK((*r)[1].reference == "docker.io/me/bb:2");
    auto img = store.image((*r)[0].manifest_digest).value();
    CHECK(img.config_digest == sha256_digest(cfg)); // the docker image id
    CHECK(img.manifest.media_type == media::kOciManifest);
    REQUIRE(img.manifest.layers.size() == 3);
    CHECK(img.manifest.layers[0].media_type == media::kOciLayer);
    CHECK(img.manifest.layers[0].digest == sha256_digest(l1));
    CHECK(img.manifest.layers[2].digest == sha256_digest(l1));
    CHECK(img.config.entrypoint == std::vector<std::string>{"/bin/sh"});
    if (testutil::is_root()) {
        auto c = create_rootfs(store, img, "c", {.force_copy = true});
        REQUIRE(c.ok());
        CHECK(testutil::slurp(c->rootfs + "/etc/motd") == "hi");
        REQUIRE(remove_rootfs(store, "c").ok());
    }

    // Gzip'ed `docker save | gzip` loads too.
    testutil::spit(t / "save.tar.gz", testutil::make_tar(entries, "gzip"));
    auto store2 = Store::open(t / "store2").value();
    CHECK(load_image(store2, t / "save.tar.gz").ok());

    // A manifest.json naming a layer the archive lacks fails and adds nothing.
    entries.erase(entries.begin() + 4);
    testutil::spit(t / "broken.tar", testutil::make_tar(entries));
    auto store3 = Store::open(t / "store3").value();
    auto bad = load_image(store3, t / "broken.tar");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == t / "broken.tar" + ": manifest.json[0]: Layers[1]: \"bbb/layer.tar\" is not in the archive");
    CHECK(blob_count(t / "store3") == 0);

    testutil::spit(t / "junk.tar", testutil::make_tar({{"hello", 'f', "x"}}));
    auto junk = load_image(store3, t / "junk.tar");
    REQUIRE_FALSE(junk.ok());
    CHECK(junk.error().message.find("neither an OCI archive") != std::string::npos);
    CHECK(blob_count(t / "store3") == 0);
}
