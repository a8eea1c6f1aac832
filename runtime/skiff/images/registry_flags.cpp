#include "registry_flags.hpp"

#include <sys/utsname.h>

namespace skiff::skiffcli {

std::vector<Flag> registry_flags(bool with_platform) {
    std::vector<Flag> f = {
        {"authfile", Flag::Value, "credentials file in docker's config.json format",
         "$REGISTRY_AUTH_FILE, then ~/.docker/config.json"},
        {"creds", Flag::Value, "USERNAME[:PASSWORD] for the registry"},
        {"tls-verify", Flag::Bool, "use https and verify certificates (127.0.0.1 and localhost always use http)",
         "true"},
        {"quiet,q", Flag::Bool, "suppress verbose output"},
    };
    if (with_platform) f.push_back({"platform", Flag::Value, "OS/ARCH[/VARIANT] to pull from a multi-platform image", "this host's"});
    return f;
}

Result<image::RegistryOptions> registry_options(const Args& a) {
    image::RegistryOptions o;
    struct utsname u {};
    ::uname(&u);
    std::string m = u.machine;
    o.arch = m == "x86_64" ? "amd64" : m == "aarch64" ? "arm64" : m == "armv7l" ? "arm" : m;
    if (std::string p = a.value("platform"); !p.empty()) {
        auto slash = p.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == p.size())
            return Error{"--platform \"" + p + "\": want OS/ARCH[/VARIANT], e.g. linux/amd64"};
        o.os = p.substr(0, slash);
        std::string rest = p.substr(slash + 1);
        o.arch = rest.substr(0, rest.find('/'));
    }
    o.credentials_file = a.value("authfile");
    if (std::string c = a.value("creds"); !c.empty()) {
        auto colon = c.find(':');
        o.username = c.substr(0, colon);
        o.password = colon == std::string::npos ? "" : c.substr(colon + 1);
        if (o.username.empty()) return Error{"--creds: want USERNAME[:PASSWORD]"};
    }
    auto tv = a.bools.find("tls-verify");
    o.insecure = tv != a.bools.end() && !tv->second;
    return o;
}

} // namespace skiff::skiffcli
