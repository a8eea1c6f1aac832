// `skiff save`: an OCI archive that also carries docker's manifest.json, so `docker load`,
// `podman load` and `skopeo copy oci-archive:` read it. To -o FILE, or stdout when redirected.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "skiff/oci/image/load.hpp"

namespace skiff::skiffcli {
namespace {

Result<void> copy_to_stdout(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open " + path);
    std::vector<char> buf(1 << 20);
    Result<void> r = ok();
    while (r) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) r = errno_error("read " + path);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = ::write(1, buf.data() + off, size_t(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                r = errno_error("write stdout");
                break;
            }
            off += w;
        }
    }
    ::close(fd);
    return r;
}

// Names as given (a tag or digest reference), or an image id, which saves every name it has.
Result<std::vector<image::Reference>> references_for(image::Store& store, const std::string& name) {
    auto ref = image::parse_reference(name);
    if (ref && store.resolve(*ref)) return std::vector<image::Reference>{*ref};
    auto md = SKIFF_TRY(find_image(store, name));
    std::vector<image::Reference> out;
    for (const auto& [n, d] : SKIFF_TRY(store.references()))
        if (d == md) out.push_back(SKIFF_TRY(image::parse_reference(n)));
    if (out.empty()) return Error{"save " + name + ": untagged images cannot be saved; tag it first"};
    return out;
}

int save(const Globals& g, const Args& a) {
    std::string output = a.value("output");
    if (output.empty() && ::isatty(1))
        return fail("cowardly refusing to save to a terminal. Use the -o flag or redirect", 1);
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    std::vector<image::Reference> refs;
    for (const auto& name : a.positional) {
        auto r = references_for(*store, name);
        if (!r) return fail(r.error(), 1);
        refs.insert(refs.end(), r->begin(), r->end());
    }
    std::string path = output.empty() ? store->tmp_dir() + "/save-stdout-" + std::to_string(::getpid()) + ".tar" : output;
    auto r = image::save_oci_archive(*store, refs, path);
    if (r && output.empty()) r = copy_to_stdout(path);
    if (output.empty()) ::unlink(path.c_str());
    if (!r) return fail(r.error(), 1);
    return 0;
}

const Command kSave{"save",
                    "[OPTIONS] IMAGE [IMAGE...]",
                    "Save one or more images to a tar archive (streamed to STDOUT by default)",
                    {{"output,o", Flag::Value, "write to a file, instead of STDOUT"}},
                    save,
                    1};
SKIFF_COMMAND(kSave);

} // namespace
} // namespace skiff::skiffcli
