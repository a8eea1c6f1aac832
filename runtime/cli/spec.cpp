#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.hpp"

namespace skiff::cli {

const Verb kSpec{"spec", "[command options]", "create a new specification file",
                 {{"bundle,b", true, "path to the root of the bundle directory"},
                  {"rootless", false, "generate a configuration for a rootless container"}},
                 [](const runtime::Context&, const Args& a) {
                     std::string bundle = a.value("bundle");
                     std::string path = bundle.empty() ? "config.json" : bundle + "/config.json";
                     if (!bundle.empty()) {
                         struct stat st{};
                         if (::stat(bundle.c_str(), &st) != 0)
                             return fail(errno_error("stat " + bundle));
                         if (!S_ISDIR(st.st_mode)) return fail(bundle + " is not a directory");
                     }
                     if (::access(path.c_str(), F_OK) == 0)
                         return fail("File " + path + " exists. Remove it first");
                     std::string text = oci::dump_spec(oci::default_spec(a.flag("rootless")));
                     int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
                     if (fd < 0) return fail(errno_error("open " + path));
                     bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
                     ::close(fd);
                     if (!ok) return fail(errno_error("write " + path));
                     return 0;
                 },
                 0, 0};

} // namespace skiff::cli
