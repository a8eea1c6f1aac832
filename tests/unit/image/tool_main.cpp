// A command-line face on the image library for tests/integration/image_*.sh, until the skiff
// CLI exists: run as  SKIFF_IMAGE_TOOL=$'cmd\narg\n...' unit_image '[.tool]'
//   load STORE PATH [NAME]           prints each loaded reference and its manifest digest
//   bundle STORE IMAGE ID [opt=val]  opts: arg (one per argument), entrypoint, env, user,
//                                    workdir, isolation, volume (-v syntax), network,
//                                    read_only=1, seccomp=0, copy=1; prints the bundle directory
//   rm STORE ID | gc STORE | images STORE | save STORE OUT REF... | rmi STORE REF
//   pull STORE REF [CREDENTIALS_FILE] | push STORE LOCAL REMOTE [CREDENTIALS_FILE]
// Output on stdout, errors as one line on stderr, exit status 0/1.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "skiff/oci/image/bundle.hpp"
#include "skiff/oci/image/load.hpp"
#include "skiff/oci/image/registry.hpp"

using namespace skiff::image;

namespace {

std::vector<std::string> split_words(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string w;
    while (std::getline(ss, w, sep))
        if (!w.empty()) out.push_back(w);
    return out;
}

skiff::Result<void> run_tool(const std::vector<std::string>& a) {
    if (a.size() < 2) return skiff::Error{"usage: CMD STORE ..."};
    auto store = SKIFF_TRY(Store::open(a[1]));
    const std::string& cmd = a[0];
    if (cmd == "load" && a.size() >= 3) {
        LoadOptions o;
        if (a.size() > 3) o.name = a[3];
        for (const auto& im : SKIFF_TRY(load_image(store, a[2], o)))
            std::cout << im.reference << " " << im.manifest_digest << "\n";
        return skiff::ok();
    }
    if (cmd == "bundle" && a.size() >= 4) {
        auto md = SKIFF_TRY(store.resolve_name(a[2]));
        auto img = SKIFF_TRY(store.image(md));
        RunOptions o;
        o.image_name = a[2];
        RootfsOptions ro;
        for (size_t i = 4; i < a.size(); ++i) {
            auto eq = a[i].find('=');
            std::string k = a[i].substr(0, eq), v = eq == std::string::npos ? "" : a[i].substr(eq + 1);
            if (k == "arg") o.args.push_back(v);
            else if (k == "entrypoint") o.entrypoint = v;
            else if (k == "env") o.env.push_back(v);
            else if (k == "user") o.user = v;
            else if (k == "workdir") o.workdir = v;
            else if (k == "isolation") o.isolation = v;
            else if (k == "volume") o.volumes.push_back(SKIFF_TRY(parse_volume(v)));
            else if (k == "network") o.network = v;
            else if (k == "read_only") o.read_only = v == "1";
            else if (k == "seccomp") o.default_seccomp = v != "0";
            else if (k == "copy") ro.force_copy = v == "1";
            else return skiff::Error{"bundle: unknown option " + k};
        }
        auto b = SKIFF_TRY(create_bundle(store, img, a[3], o, ro));
        std::cout << b.dir << (b.rootfs.overlay ? " overlay" : " copy") << "\n";
        return skiff::ok();
    }
    if (cmd == "rm" && a.size() == 3) return remove_rootfs(store, a[2]);
    if (cmd == "gc") {
        auto st = SKIFF_TRY(store.gc());
        std::cout << st.blobs_removed << " blobs, " << st.layers_removed << " layers\n";
        return skiff::ok();
    }
    if (cmd == "images") {
        for (const auto& [r, d] : SKIFF_TRY(store.references())) std::cout << r << " " << d << "\n";
        return skiff::ok();
    }
    if (cmd == "rmi" && a.size() == 3) return store.remove_reference(SKIFF_TRY(parse_reference(a[2])));
    if (cmd == "save" && a.size() >= 4) {
        std::vector<Reference> refs;
        for (size_t i = 3; i < a.size(); ++i) refs.push_back(SKIFF_TRY(parse_reference(a[i])));
        return save_oci_archive(store, refs, a[2]);
    }
    if ((cmd == "pull" && a.size() >= 3) || (cmd == "push" && a.size() >= 4)) {
        RegistryOptions o;
        size_t creds = cmd == "pull" ? 3 : 4;
        if (a.size() > creds) o.credentials_file = a[creds];
        o.progress = terminal_progress(2);
        if (cmd == "pull") {
            auto im = SKIFF_TRY(pull_image(store, SKIFF_TRY(parse_reference(a[2])), o));
            std::cout << im.reference << " " << im.manifest_digest << "\n";
        } else {
            auto md = SKIFF_TRY(push_image(store, SKIFF_TRY(parse_reference(a[2])),
                                           SKIFF_TRY(parse_reference(a[3])), o));
            std::cout << md << "\n";
        }
        return skiff::ok();
    }
    return skiff::Error{"unknown command or arguments: " + cmd};
}

} // namespace

TEST_CASE("image tool for integration scripts", "[.tool]") {
    const char* args = std::getenv("SKIFF_IMAGE_TOOL");
    if (!args) return;
    auto r = run_tool(split_words(args, '\n'));
    std::cout.flush();
    if (!r) {
        std::cerr << r.error().message << "\n";
        std::_Exit(1);
    }
    std::_Exit(0);
}
