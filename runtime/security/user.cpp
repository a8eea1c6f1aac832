// process.user: supplementary groups, gid, uid, umask. Capabilities must survive the uid change
// so apply_capabilities can set the exact sets afterwards: PR_SET_KEEPCAPS keeps the permitted
// set across setresuid (the kernel still clears effective, which apply_capabilities sets again).
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "security/security.hpp"

namespace skiff::runtime::security {

Result<void> switch_user(const oci::User& user, bool setgroups_allowed) {
    if (user.umask && *user.umask > 07777)
        return Error{"process.user.umask: " + std::to_string(*user.umask) +
                     " is not a file mode (0-07777)"};
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return errno_error("prctl(PR_SET_KEEPCAPS, 1)");
    // Always set the list, even empty, so root's own supplementary groups do not leak into the
    // container. In a user namespace with setgroups "deny" the call is impossible; the groups
    // the process has there are the (unmapped) ones it came with, as with runc.
    if (setgroups_allowed) {
        std::vector<gid_t> gids(user.additional_gids.begin(), user.additional_gids.end());
        if (setgroups(gids.size(), gids.data()) != 0)
            return errno_error("setgroups (process.user.additionalGids, " +
                               std::to_string(gids.size()) + " groups)");
    }
    if (setresgid(user.gid, user.gid, user.gid) != 0)
        return errno_error("setresgid " + std::to_string(user.gid) + " (process.user.gid)");
    if (setresuid(user.uid, user.uid, user.uid) != 0)
        return errno_error("setresuid " + std::to_string(user.uid) + " (process.user.uid)");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return errno_error("prctl(PR_SET_KEEPCAPS, 0)");
    if (user.umask) umask(static_cast<mode_t>(*user.umask));
    return ok();
}

} // namespace skiff::runtime::security
