// hostname and domainname of the container's uts namespace.
#include <unistd.h>

#include "linux.hpp"
#include "sys_error.hpp"

namespace skiff::runtime::linux {

Result<void> set_hostname(const oci::Spec& spec) {
    if (spec.hostname.empty() && spec.domainname.empty()) return ok();
    // As runc: setting the names needs a uts namespace of the container's (new or joined);
    // otherwise it would rename the host.
    if (!spec.linux_ || !spec.linux_->has_namespace("uts"))
        return Error{std::string(spec.hostname.empty() ? "domainname" : "hostname") +
                     ": needs a uts namespace (linux.namespaces has none)"};
    if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
        return sys_error("hostname \"" + spec.hostname + "\": sethostname");
    if (!spec.domainname.empty() &&
        setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
        return sys_error("domainname \"" + spec.domainname + "\": setdomainname");
    return ok();
}

} // namespace skiff::runtime::linux
