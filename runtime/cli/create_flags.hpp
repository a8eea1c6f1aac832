// The flags create and run share.
#pragma once

#include "args.hpp"

namespace skiff::cli {

inline std::vector<Flag> create_flags(bool run) {
    std::vector<Flag> f = {
        {"bundle,b", true, "path to the root of the bundle directory, defaults to the current directory"},
        {"console-socket", true, "path to an AF_UNIX socket which will receive a file descriptor "
                                 "referencing the master end of the console's pseudoterminal"},
        {"pid-file", true, "specify the file to write the process id to"},
        {"no-pivot", false, "do not use pivot root to jail process inside rootfs"},
        {"no-new-keyring", false, "do not create a new session keyring for the container"},
        {"preserve-fds", true, "Pass N additional file descriptors to the container (stdio + "
                               "$LISTEN_FDS + N in total) (default: 0)"},
    };
    if (run) {
        f.push_back({"detach,d", false, "detach from the container's process"});
        f.push_back({"keep", false, "do not delete the container after it exits"});
        f.push_back({"no-subreaper", false, "disable the use of the subreaper used to reap "
                                            "reparented processes"});
    }
    return f;
}

inline Result<runtime::CreateOptions> create_options(const Args& a) {
    runtime::CreateOptions o;
    o.id = a.positional[0];
    o.bundle = a.value("bundle", ".");
    o.pid_file = a.value("pid-file");
    o.console_socket = a.value("console-socket");
    o.no_pivot = a.flag("no-pivot");
    o.no_new_keyring = a.flag("no-new-keyring");
    if (a.has("preserve-fds")) {
        o.preserve_fds = SKIFF_TRY(parse_int("preserve-fds", a.value("preserve-fds")));
        if (o.preserve_fds < 0) return Error{"invalid value for flag -preserve-fds: negative"};
    }
    return o;
}

} // namespace skiff::cli
