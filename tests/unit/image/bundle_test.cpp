#include "helpers.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

#include "skiff/oci/image/bundle.hpp"
#include "skiff/oci/isolation.hpp"
#include "skiff/oci/spec.hpp"

using namespace skiff::image;
using testutil::Entry;
using testutil::TempDir;

namespace {

const char* kPasswd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n"
                      "nobody:x:65534:65534::/nonexistent:/bin/false\n";
const char* kGroup = "root:x:0:\napp:x:1000:\nextra:x:2000:other,app\nwheel:x:10:root\n";

// A rootfs directory with account files, for make_spec without mounts.
std::string plain_rootfs(const TempDir& t) {
    std::string r = t / "rootfs";
    REQUIRE(std::system(("mkdir -p " + r + "/etc").c_str()) == 0);
    testutil::spit(r + "/etc/passwd", kPasswd);
    testutil::spit(r + "/etc/group", kGroup);
    return r;
}

Image image_with(const std::string& config_json) {
    Image img;
    img.manifest_digest = sha256_digest("m");
    img.config = parse_image_config("{\"config\":" + config_json + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                                    "test config").value();
    return img;
}

const char* kAppConfig = R"({"Entrypoint":["/bin/sh","-c"],"Cmd":["echo hi"],"Env":["A=1","PATH=/x"],
  "WorkingDir":"/app","User":"app","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},
  "StopSignal":"SIGQUIT"})";

} // namespace

TEST_CASE("spec from image config: command, env, cwd, user, caps, annotations") {
    TempDir t;
    std::string root = plain_rootfs(t);
    auto spec = make_spec(image_with(kAppConfig), "0123456789abcdef", root, {.image_name = "app:1"}).value();
    const auto& p = *spec.process;
    CHECK(p.args == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
    CHECK(p.env == std::vector<std::string>{"PATH=/x", "HOSTNAME=0123456789ab", "A=1", "HOME=/home/app"});
    CHECK(p.cwd == "/app");
    CHECK(p.user.uid == 1000);
    CHECK(p.user.gid == 1000);
    CHECK(p.user.additional_gids == std::vector<uint32_t>{2000});
    CHECK(p.capabilities->bounding->size() == 14);
    CHECK(*p.capabilities->effective == default_capabilities());
    CHECK_FALSE(p.no_new_privileges);
    CHECK_FALSE(p.terminal);
    CHECK(spec.hostname == "0123456789ab");
    CHECK(spec.root.path == "rootfs");
    CHECK_FALSE(spec.root.readonly);
    CHECK(spec.annotations.at("run.skiff.isolation") == "container");
    CHECK(spec.annotations.at(kImageAnnotation) == "app:1");
    CHECK(spec.annotations.at(kExposedPortsAnnotation) == "53/udp,80/tcp");
    CHECK(spec.annotations.at(kVolumesAnnotation) == "/data");
    CHECK(spec.annotations.at(kStopSignalAnnotation) == "SIGQUIT");
    CHECK(spec.linux_->has_namespace("pid"));
    CHECK(spec.linux_->has_namespace("mount"));
}

TEST_CASE("run options override the image like docker's flags") {
    TempDir t;
    std::string root = plain_rootfs(t);
    Image img = image_with(kAppConfig);
    auto spec = [&](RunOptions o) { return make_spec(img, "id", root, o); };

    CHECK(spec({.args = {"ls", "-l"}}).value().process->args ==
          std::vector<std::string>{"/bin/sh", "-c", "ls", "-l"});
    CHECK(spec({.entrypoint = "/bin/echo"}).value().process->args == std::vector<std::string>{"/bin/echo"});
    CHECK(spec({.entrypoint = "", .args = {"true"}}).value().process->args == std::vector<std::string>{"true"});
    auto none = spec({.entrypoint = ""});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("no command specified") == 0);

    auto e = spec({.env = {"A=2", "B=3", "HOME=/h"}, .tty = true}).value().process->env;
    CHECK(e == std::vector<std::string>{"PATH=/x", "HOSTNAME=id", "TERM=xterm", "A=2", "B=3", "HOME=/h"});
    auto bad_env = spec({.env = {"=x"}});
    REQUIRE_FALSE(bad_env.ok());
    CHECK(bad_env.error().message == "environment variable \"=x\": want KEY=value");

    CHECK(spec({.workdir = "/srv/./w/"}).value().process->cwd == "/srv/w");
    auto rel = spec({.workdir = "srv"});
    REQUIRE_FALSE(rel.ok());
    CHECK(rel.error().message == "the working directory \"srv\" is invalid, it needs to be an absolute path");

    auto u = spec({.user = "0:extra"}).value().process->user;
    CHECK((u.uid == 0 && u.gid == 2000 && u.additional_gids.empty()));
    u = spec({.user = "1234"}).value().process->user;
    CHECK((u.uid == 1234 && u.gid == 0));
    CHECK(spec({.user = "1234"}).value().process->env.back() == "HOME=/");
    u = spec({.user = "root"}).value().process->user;
    CHECK((u.uid == 0 && u.gid == 0 && u.additional_gids == std::vector<uint32_t>{10}));
    u = spec({.user = "nobody:7"}).value().process->user;
    CHECK((u.uid == 65534 && u.gid == 7));
    auto nouser = spec({.user = "ghost"});
    REQUIRE_FALSE(nouser.ok());
    CHECK(nouser.error().message == "--user: unable to find user ghost: no matching entries in passwd file");
    auto nogroup = spec({.user = "app:ghosts"});
    REQUIRE_FALSE(nogroup.ok());
    CHECK(nogroup.error().message == "--user: unable to find group ghosts: no matching entries in group file");

    auto ro = spec({.hostname = "box", .read_only = true, .isolation = "vm", .annotations = {{"k", "v"}}}).value();
    CHECK(ro.hostname == "box");
    CHECK(ro.root.readonly);
    CHECK(ro.annotations.at("run.skiff.isolation") == "vm");
    CHECK(ro.annotations.at("k") == "v");
    auto bad_iso = spec({.isolation = "kvm"});
    REQUIRE_FALSE(bad_iso.ok());
    CHECK(bad_iso.error().message.find("--isolation: ") == 0);
    CHECK(bad_iso.error().message.find("kvm") != std::string::npos);
}

TEST_CASE("user lookup resolves image symlinks inside the rootfs, never on the host") {
    TempDir t;
    std::string root = t / "rootfs";
    REQUIRE(std::system(("mkdir -p " + root + "/etc " + root + "/srv").c_str()) == 0);
    testutil::spit(root + "/srv/passwd", "app:x:4242:4343::/srv:/bin/sh\n");
    // Absolute target: on the host it would be the host's /srv/passwd or missing.
    REQUIRE(::symlink("/srv/passwd", (root + "/etc/passwd").c_str()) == 0);
    testutil::spit(root + "/srv/group", "wheel:x:10:app\n");
    REQUIRE(::symlink("../../../../../../../srv/group", (root + "/etc/group").c_str()) == 0);
    auto u = resolve_user(root, "app").value();
    CHECK(u.uid == 4242);
    CHECK(u.home == "/srv");
    // The group file's link climbs "above" the rootfs; resolved in the root it stays inside.
    CHECK(u.additional_gids == std::vector<uint32_t>{10});
    CHECK(resolve_user(root, "0:wheel").value().gid == 10);
    // A link loop is an error, not a fallback to anything on the host.
    ::unlink((root + "/etc/group").c_str());
    REQUIRE(::symlink("/etc/group", (root + "/etc/group").c_str()) == 0);
    CHECK_FALSE(resolve_user(root, "app").ok());
    // No account files at all (scratch images): numbers work, names do not.
    std::string scratch = t / "scratch";
    ::mkdir(scratch.c_str(), 0755);
    CHECK(resolve_user(scratch, "10:20").value().gid == 20);
    CHECK_FALSE(resolve_user(scratch, "app").ok());
}

TEST_CASE("create_bundle writes config.json next to the rootfs and makes WorkingDir") {
    if (!testutil::is_root()) {
        WARN("skipped: needs root (overlay mount)");
        return;
    }
    TempDir t;
    auto store = Store::open(t / "store").value();
    std::string outside = t / "outside";
    ::mkdir(outside.c_str(), 0755);
    auto md = testutil::add_image(store, "app",
                                  {{{"etc/passwd", 'f', kPasswd}, {"etc/group", 'f', kGroup},
                                    {"bin/sh", 'f', "#!", 0755}, {"escape", 'l', outside}}},
                                  kAppConfig);
    auto img = store.image(md).value();
    auto b = create_bundle(store, img, "c1", {.image_name = "app"});
    REQUIRE(b.ok());
    CHECK(b->dir == t / "store/containers/c1");
    CHECK(b->rootfs.overlay);
    struct stat st;
    REQUIRE(::stat((b->rootfs.rootfs + "/app").c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    auto loaded = skiff::oci::load_spec(b->dir + "/config.json");
    REQUIRE(loaded.ok());
    CHECK(loaded->process->args == b->spec.process->args);
    CHECK(loaded->process->user.uid == 1000);
    CHECK(loaded->annotations.at("run.skiff.isolation") == "container");
    CHECK(loaded->root.path == "rootfs");

    // A WorkingDir through an image symlink pointing at a host path resolves inside the
    // rootfs, where the target does not exist: an error, and nothing made on the host.
    auto b2 = create_bundle(store, img, "c2", {.workdir = "/escape/sub"});
    REQUIRE_FALSE(b2.ok());
    CHECK(b2.error().message == "working directory /escape/sub: open escape: No such file or directory");
    CHECK(::stat((outside + "/sub").c_str(), &st) != 0);
    CHECK(::stat((t / "store/containers/c2").c_str(), &st) != 0);

    // A bad option leaves no container behind.
    auto bad = create_bundle(store, img, "c3", {.user = "ghost"});
    REQUIRE_FALSE(bad.ok());
    CHECK(::stat((t / "store/containers/c3").c_str(), &st) != 0);

    REQUIRE(remove_rootfs(store, "c1").ok());
}

TEST_CASE("spec from run options: volumes, resources, network") {
    TempDir t;
    std::string root = plain_rootfs(t);
    RunOptions o;
    o.volumes = {parse_volume("/srv/data:/data/./x/:ro").value(), parse_volume("/tmp:/scratch").value()};
    o.memory = 64 << 20;
    o.cpus = 1.5;
    o.pids_limit = 100;
    o.network = "host";
    auto spec = make_spec(image_with(kAppConfig), "c1", root, o).value();
    const auto& m = spec.mounts[spec.mounts.size() - 2];
    CHECK(m.destination == "/data/x");
    CHECK(m.source == "/srv/data");
    CHECK(m.options == std::vector<std::string>{"rbind", "ro", "rprivate"});
    CHECK(spec.mounts.back().options[1] == "rw");
    const auto& r = *spec.linux_->resources;
    CHECK(*r.memory->limit == 64 << 20);
    CHECK(*r.memory->swap == 128 << 20);
    CHECK(*r.cpu->quota == 150000);
    CHECK(*r.cpu->period == 100000);
    CHECK(r.pids->limit == 100);
    CHECK_FALSE(spec.linux_->has_namespace("network"));

    o = {};
    CHECK(make_spec(image_with(kAppConfig), "c1", root, o).value().linux_->has_namespace("network"));
    o.network = "bridge";
    CHECK(make_spec(image_with(kAppConfig), "c1", root, o).error().message == "--network bridge: want none or host");
    o = {};
    o.memory = 1024;
    CHECK(make_spec(image_with(kAppConfig), "c1", root, o).error().message.find("minimum memory") != std::string::npos);
}

TEST_CASE("docker's -v syntax") {
    CHECK(parse_volume("/a:/b:rw").value().read_only == false);
    CHECK(parse_volume("/a:/b:ro").value().read_only);
    CHECK(parse_volume("named:/b").error().message == "volume named:/b: want /host:/container[:ro]");
    CHECK(parse_volume("/only").error().message == "volume /only: want /host:/container[:ro]");
    CHECK(parse_volume("/a:/b:zz").error().message == "volume /a:/b:zz: invalid mode \"zz\" (want ro or rw)");
}

namespace {

// Every rule naming `name`, in profile order.
std::vector<skiff::oci::SeccompSyscall> rules_for(const skiff::oci::Seccomp& s, const std::string& name) {
    std::vector<skiff::oci::SeccompSyscall> out;
    for (const auto& r : s.syscalls)
        if (std::find(r.names.begin(), r.names.end(), name) != r.names.end()) out.push_back(r);
    return out;
}

} // namespace

TEST_CASE("bundles carry docker's default seccomp profile for docker's default capabilities") {
    TempDir t;
    std::string root = plain_rootfs(t);
    auto spec = make_spec(image_with(kAppConfig), "c1", root, {}).value();
    REQUIRE(spec.linux_->seccomp);
    const auto& s = *spec.linux_->seccomp;
    CHECK(s.default_action == "SCMP_ACT_ERRNO");
    CHECK(s.default_errno_ret == EPERM);
#if defined(__x86_64__)
    CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
    CHECK(rules_for(s, "arch_prctl").size() == 1);
    CHECK(rules_for(s, "set_tls").empty());
#endif
    size_t allowed = 0;
    for (const auto& r : s.syscalls) allowed += r.names.size();
    CHECK(allowed > 350);
    for (const char* n : {"read", "execve", "futex", "rseq", "chroot", "ptrace", "statx"}) {
        auto r = rules_for(s, n);
        REQUIRE(r.size() == 1);
        CHECK(r[0].action == "SCMP_ACT_ALLOW");
        CHECK(r[0].args.empty());
    }
    // What needs a capability docker does not grant by default stays at the default (EPERM).
    for (const char* n : {"mount", "unshare", "setns", "bpf", "kcmp", "reboot", "init_module",
                          "add_key", "keyctl", "kexec_load", "clock_settime", "open_by_handle_at"})
        CHECK(rules_for(s, n).empty());
    auto clone = rules_for(s, "clone");
    REQUIRE(clone.size() == 1);
    REQUIRE(clone[0].args.size() == 1);
    CHECK(clone[0].args[0].op == "SCMP_CMP_MASKED_EQ");
    CHECK(clone[0].args[0].value == 0x7E020000); // every CLONE_NEW* flag
    CHECK(clone[0].args[0].value_two == 0);
    auto clone3 = rules_for(s, "clone3");
    REQUIRE(clone3.size() == 1);
    CHECK(clone3[0].action == "SCMP_ACT_ERRNO");
    CHECK(clone3[0].errno_ret == ENOSYS);
    auto sock = rules_for(s, "socket");
    REQUIRE(sock.size() == 3);
    CHECK((sock[0].args[0].op == "SCMP_CMP_LT" && sock[0].args[0].value == 38));
    CHECK((sock[1].args[0].op == "SCMP_CMP_EQ" && sock[1].args[0].value == 39));
    CHECK((sock[2].args[0].op == "SCMP_CMP_GT" && sock[2].args[0].value == 40));
    std::vector<uint64_t> personalities;
    for (const auto& r : rules_for(s, "personality")) personalities.push_back(r.args.at(0).value);
    CHECK(personalities == std::vector<uint64_t>{0, 8, 0x20000, 0x20008, 0xffffffff});

    // It survives config.json.
    REQUIRE(write_config(t / "", spec).ok());
    auto back = skiff::oci::load_spec(t / "config.json").value();
    REQUIRE(back.linux_->seccomp);
    CHECK(back.linux_->seccomp->syscalls.size() == s.syscalls.size());
    CHECK(rules_for(*back.linux_->seccomp, "clone3").at(0).errno_ret == ENOSYS);
    CHECK(rules_for(*back.linux_->seccomp, "clone").at(0).args.at(0).value == 0x7E020000);

    // Unconfined on request.
    CHECK_FALSE(make_spec(image_with(kAppConfig), "c1", root, {.default_seccomp = false}).value().linux_->seccomp);
}

TEST_CASE("the default seccomp profile follows the capabilities like dockerd resolves it") {
    auto caps = default_capabilities();
    caps.push_back("CAP_SYS_ADMIN");
    caps.push_back("CAP_SYS_PTRACE");
    auto s = default_seccomp(caps);
    for (const char* n : {"mount", "unshare", "setns", "bpf", "kcmp", "pidfd_getfd"})
        CHECK(rules_for(s, n).size() == 1);
    // With CAP_SYS_ADMIN clone is allowed whole and clone3 no longer answers ENOSYS.
    auto clone = rules_for(s, "clone");
    REQUIRE(clone.size() == 1);
    CHECK(clone[0].args.empty());
    REQUIRE(rules_for(s, "clone3").size() == 1);
    CHECK(rules_for(s, "clone3")[0].action == "SCMP_ACT_ALLOW");
    CHECK(rules_for(s, "ptrace").size() == 2); // docker lists it for kernels >= 4.8 and for the cap
    CHECK(rules_for(s, "reboot").empty());

    auto none = default_seccomp({});
    CHECK(rules_for(none, "chroot").empty());
    CHECK(rules_for(none, "clone3").at(0).errno_ret == ENOSYS);
}
