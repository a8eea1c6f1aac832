// `skiff load`: an OCI layout directory, an OCI archive or a `docker save` tar, from -i or stdin.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "skiff/oci/image/load.hpp"

namespace skiff::skiffcli {
namespace {

// stdin is a pipe: it goes to a file in the store's tmp/ first (libarchive needs to read the
// archive twice: once for the blobs, once the index). Removed afterwards.
Result<std::string> spool_stdin(image::Store& store) {
    std::string path = store.tmp_dir() + "/load-stdin-" + std::to_string(::getpid()) + ".tar";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno_error("create " + path);
    std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    while (true) {
        ssize_t n = ::read(0, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            auto e = errno_error("read stdin");
            ::close(fd);
            ::unlink(path.c_str());
            return e;
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = ::write(fd, buf.data() + off, size_t(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                auto e = errno_error("write " + path);
                ::close(fd);
                ::unlink(path.c_str());
                return e;
            }
            off += w;
        }
        total += uint64_t(n);
    }
    ::close(fd);
    if (total == 0) {
        ::unlink(path.c_str());
        return Error{"requested load from stdin, but stdin is empty"};
    }
    return path;
}

int load(const Globals& g, const Args& a) {
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    std::string input = a.value("input");
    std::string spooled;
    if (input.empty()) {
        if (::isatty(0)) return fail("requested load from stdin, but stdin is empty", 1);
        auto p = spool_stdin(*store);
        if (!p) return fail(p.error(), 1);
        input = spooled = *p;
    }
    image::LoadOptions opts;
    opts.allow_untagged = true;
    auto loaded = spooled.empty() ? image::load_image(*store, input, opts) : image::load_archive(*store, input, opts);
    if (!spooled.empty()) ::unlink(spooled.c_str());
    if (!loaded) return fail(loaded.error(), 1);
    if (a.flag("quiet")) return 0;
    std::string s;
    for (const auto& im : *loaded) {
        auto ref = image::parse_reference(im.reference);
        if (!im.reference.empty() && ref && !ref->tag.empty())
            s += "Loaded image: " + ref->familiar() + "\n";
        else
            s += "Loaded image ID: " + im.manifest_digest + "\n";
    }
    out(s);
    return 0;
}

const Command kLoad{"load",
                    "[OPTIONS]",
                    "Load an image from a tar archive (OCI or docker save), an OCI layout directory, or STDIN",
                    {{"input,i", Flag::Value, "read from a tar archive file or an OCI layout directory, instead of STDIN"},
                     {"quiet,q", Flag::Bool, "suppress the load output"}},
                    load,
                    0,
                    0};
SKIFF_COMMAND(kLoad);

} // namespace
} // namespace skiff::skiffcli
