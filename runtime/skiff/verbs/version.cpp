#include <sys/utsname.h>

#include "../command.hpp"

namespace skiff::skiffcli {
namespace {

int version(const Globals&, const Args& a) {
    struct utsname u {};
    ::uname(&u);
    std::string fmt = a.value("format");
    if (fmt == "json" || fmt == "{{json .}}") {
        out(std::string("{\"Version\":\"") + SKIFF_VERSION + "\",\"ApiVersion\":\"1.2.0\",\"Os\":\"linux\",\"Arch\":\"" +
            u.machine + "\",\"KernelVersion\":\"" + u.release + "\"}\n");
        return 0;
    }
    if (!fmt.empty()) return fail("version --format: want json, got \"" + fmt + "\"");
    out(std::string("skiff version ") + SKIFF_VERSION + "\n OCI runtime spec: 1.2.0\n OS/Arch:          linux/" +
        u.machine + "\n Kernel:           " + u.release + "\n");
    return 0;
}

const Command kVersion{"version", "[OPTIONS]", "Show the skiff version information",
                       {{"format,f", Flag::Value, "format the output: json"}}, version, 0, 0};
SKIFF_COMMAND(kVersion);

} // namespace
} // namespace skiff::skiffcli
