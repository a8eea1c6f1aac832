#include "helpers.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <unistd.h>
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

bool fs_exists(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
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
    // The image's Volumes ["/data"]: an anonymous volume in the container's directory, mounted
    // before the deeper /etc files (docker sorts a container's mounts parents first).
    auto at = [&](const std::string& dest) {
        for (size_t i = 0; i < loaded->mounts.size(); ++i)
            if (loaded->mounts[i].destination == dest) return i;
        return loaded->mounts.size();
    };
    REQUIRE(at("/data") < loaded->mounts.size());
    CHECK(loaded->mounts[at("/data")].source == b->dir + "/volumes/0");
    CHECK(at("/data") < at("/etc/resolv.conf"));
    CHECK(at("/etc/resolv.conf") < at("/etc/hostname"));
    CHECK(at("/etc/hostname") < at("/etc/hosts"));
    CHECK(at("/etc/hosts") < loaded->mounts.size());
    CHECK(fs_exists(b->dir + "/hosts"));

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
    CHECK_FALSE(fs_exists(b->dir));
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

TEST_CASE("/etc/hosts and /etc/resolv.conf text as dockerd writes them") {
    CHECK(hosts_file("web.example.com", "127.0.1.1") ==
          "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\n"
          "ff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
          "127.0.1.1\tweb.example.com web\n");
    CHECK(hosts_file("", "").find("127.0.1.1") == std::string::npos);

    const std::string host = "# comment\n; other comment\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n"
                             "nameserver ::1\nnameserver 2001:db8::1\nnameserver fe80::1%eth0\n"
                             "nameserver bogus\nsearch a.example b.example\ndomain c.example\n"
                             "options ndots:2\noptions rotate\nsortlist 10.0.0.0/8\n";
    CHECK(resolv_conf_file(host, "/etc/resolv.conf", false) ==
          "# Generated by skiff from the host's /etc/resolv.conf.\n\n"
          "nameserver 10.0.0.1\nsearch c.example\noptions ndots:2 rotate\nsortlist 10.0.0.0/8\n"
          "\n# Invalid nameservers: bogus\n");
    CHECK(resolv_conf_file(host, "/etc/resolv.conf", true) ==
          "# Generated by skiff from the host's /etc/resolv.conf.\n\n"
          "nameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\nnameserver 2001:db8::1\n"
          "nameserver fe80::1%eth0\nsearch c.example\noptions ndots:2 rotate\nsortlist 10.0.0.0/8\n"
          "\n# Invalid nameservers: bogus\n");
    // Nothing reachable from a private network namespace: docker's fallback servers.
    auto local = resolv_conf_file("nameserver 127.0.0.1\nnameserver ::1\n", "/x", false);
    CHECK(local.find("nameserver 8.8.8.8\nnameserver 8.8.4.4\n") != std::string::npos);
    CHECK(local.find("127.0.0.1") == std::string::npos);
    CHECK(resolv_conf_file("", "/x", true) == "# Generated by skiff from the host's /x.\n\n");
}

TEST_CASE("the /etc files are written next to the rootfs and bind-mounted like docker's") {
    TempDir t;
    std::string root = plain_rootfs(t);
    std::string hostdir = t / "host";
    REQUIRE(std::system(("mkdir -p " + hostdir + "/run").c_str()) == 0);
    testutil::spit(hostdir + "/hosts", "10.1.1.1 myhost\n");
    testutil::spit(hostdir + "/resolv.conf", "nameserver 127.0.0.53\noptions edns0\n");
    testutil::spit(hostdir + "/run/resolv.conf", "nameserver 192.0.2.53\nsearch corp\n");
    HostFiles host{hostdir + "/hosts", hostdir + "/resolv.conf", hostdir + "/run/resolv.conf"};
    Image img = image_with(kAppConfig);
    auto etc = [&](const std::string& name, RunOptions o) {
        std::string dir = t / name;
        REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
        auto spec = make_spec(img, "0123456789abcdef", root, o).value();
        auto r = add_etc_files(spec, dir, root, o, host);
        REQUIRE(r.ok());
        std::map<std::string, skiff::oci::Mount> by_dest;
        for (const auto& m : spec.mounts) by_dest[m.destination] = m;
        return std::make_pair(dir, by_dest);
    };

    auto [dir, mounts] = etc("c1", {});
    for (const char* f : {"hosts", "hostname", "resolv.conf"}) {
        const auto& m = mounts.at(std::string("/etc/") + f);
        CHECK(m.type == "bind");
        CHECK(m.source == dir + "/" + f);
        CHECK(m.options == std::vector<std::string>{"rbind", "rprivate", "rw"});
    }
    CHECK(testutil::slurp(dir + "/hostname") == "0123456789ab\n");
    CHECK(testutil::slurp(dir + "/hosts").find("\n127.0.1.1\t0123456789ab\n") != std::string::npos);
    // The systemd-resolved stub alone: its upstream file is what the container gets.
    CHECK(testutil::slurp(dir + "/resolv.conf") ==
          "# Generated by skiff from the host's " + hostdir + "/run/resolv.conf.\n\nnameserver 192.0.2.53\nsearch corp\n");

    auto [hdir, hmounts] = etc("c2", {.read_only = true, .network = "host"});
    CHECK(testutil::slurp(hdir + "/hosts") == "10.1.1.1 myhost\n");
    CHECK(hmounts.at("/etc/hosts").options.back() == "ro");
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    CHECK(testutil::slurp(hdir + "/hostname") == std::string(name) + "\n");

    // A -v on /etc/hosts wins; nothing is written for it.
    auto [vdir, vmounts] = etc("c3", {.volumes = {{"/srv/hosts", "/etc/hosts", true}}});
    CHECK(vmounts.at("/etc/hosts").source == "/srv/hosts");
    CHECK_FALSE(fs_exists(vdir + "/hosts"));
    CHECK(vmounts.count("/etc/resolv.conf") == 1);

    // Image links: inside the root is followed by the runtime and kept; out of the root or into
    // /proc is skipped.
    REQUIRE(::symlink("../../../../outside/hosts", (root + "/etc/hosts").c_str()) == 0);
    REQUIRE(::symlink("/proc/self/fd/0", (root + "/etc/hostname").c_str()) == 0);
    REQUIRE(::symlink("/run/resolv.conf", (root + "/etc/resolv.conf").c_str()) == 0);
    auto [ldir, lmounts] = etc("c4", {});
    CHECK(lmounts.count("/etc/hosts") == 0);
    CHECK(lmounts.count("/etc/hostname") == 0);
    CHECK(lmounts.count("/etc/resolv.conf") == 1);
    CHECK_FALSE(fs_exists(ldir + "/hosts"));

    // The files are new: a second call on the same directory fails instead of overwriting.
    auto spec = make_spec(img, "x", root, {}).value();
    auto again = add_etc_files(spec, dir, root, {}, host);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("create " + dir + "/resolv.conf: File exists") == 0);
}

TEST_CASE("anonymous volumes: one directory per image volume, filled from the image") {
    TempDir t;
    std::string root = plain_rootfs(t);
    REQUIRE(std::system(("mkdir -p " + root + "/data/sub " + root + "/real").c_str()) == 0);
    testutil::spit(root + "/data/seed", "from the image");
    testutil::spit(root + "/data/sub/deep", "deeper");
    REQUIRE(::symlink("/etc/passwd", (root + "/data/link").c_str()) == 0);
    REQUIRE(::chown((root + "/data").c_str(), 1000, 1000) == 0);
    REQUIRE(::chmod((root + "/data").c_str(), 0750) == 0);
    testutil::spit(root + "/file", "x");
    testutil::spit(root + "/real/inside", "via a link");
    REQUIRE(::symlink("/real", (root + "/linked").c_str()) == 0);
    std::string dir = t / "c";
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);

    auto spec = make_spec(image_with(kAppConfig), "c", root, {}).value();
    size_t before = spec.mounts.size();
    REQUIRE(add_anonymous_volumes(spec, dir, root, {"/data/", "/logs", "/linked"}).ok());
    REQUIRE(spec.mounts.size() == before + 3);
    const auto& m = spec.mounts[before];
    CHECK(m.destination == "/data");
    CHECK(m.type == "bind");
    CHECK(m.source == dir + "/volumes/0");
    CHECK(m.options == std::vector<std::string>{"rbind", "rprivate", "rw"});
    CHECK(testutil::slurp(dir + "/volumes/0/seed") == "from the image");
    CHECK(testutil::slurp(dir + "/volumes/0/sub/deep") == "deeper");
    char target[64] = {};
    CHECK(::readlink((dir + "/volumes/0/link").c_str(), target, sizeof target - 1) > 0);
    CHECK(std::string(target) == "/etc/passwd"); // copied as a link, never followed
    struct stat st;
    REQUIRE(::stat((dir + "/volumes/0").c_str(), &st) == 0);
    CHECK((st.st_uid == 1000 && st.st_gid == 1000 && (st.st_mode & 07777) == 0750));
    REQUIRE(::stat((dir + "/volumes/1").c_str(), &st) == 0);
    CHECK((S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755 && st.st_uid == 0));
    CHECK(spec.mounts[before + 1].destination == "/logs");
    // A link in the image is followed inside the root, like the runtime follows it.
    CHECK(testutil::slurp(dir + "/volumes/2/inside") == "via a link");

    // A -v on the path wins: no anonymous volume for it.
    std::string dir2 = t / "c2";
    REQUIRE(::mkdir(dir2.c_str(), 0700) == 0);
    auto spec2 = make_spec(image_with(kAppConfig), "c", root, {.volumes = {{"/srv", "/data", false}}}).value();
    REQUIRE(add_anonymous_volumes(spec2, dir2, root, {"/data", "/logs"}).ok());
    CHECK_FALSE(fs_exists(dir2 + "/volumes/0"));
    CHECK(fs_exists(dir2 + "/volumes/1"));
    CHECK(spec2.mounts.back().destination == "/logs");

    auto over_file = add_anonymous_volumes(spec2, t / "c3", root, {"/file"});
    REQUIRE_FALSE(over_file.ok());
    REQUIRE(::mkdir((t / "c4").c_str(), 0700) == 0);
    over_file = add_anonymous_volumes(spec2, t / "c4", root, {"/file"});
    REQUIRE_FALSE(over_file.ok());
    CHECK(over_file.error().message == "cannot mount volume over existing file, file exists /file");
    CHECK(add_anonymous_volumes(spec2, t / "c4", root, {"data"}).error().message ==
          "image volume \"data\": not an absolute path");
}
