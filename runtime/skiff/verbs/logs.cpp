// `skiff logs`: what the container wrote, from the monitor's log (stdout and stderr kept
// apart); -f follows until the container exits.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdlib>

#include "../command.hpp"
#include "../containers/log_file.hpp"
#include "../containers/store.hpp"

namespace skiff::skiffcli {
namespace {

struct Printer {
    bool timestamps;
    bool at_line_start[2] = {true, true};
    void print(const LogEntry& e) {
        int fd = e.stream == Stream::Stdout ? 1 : 2;
        bool& start = at_line_start[e.stream == Stream::Stdout ? 0 : 1];
        std::string s;
        if (timestamps && start) s = e.timestamp + " ";
        s += e.text;
        if (e.ends_line) s += "\n";
        start = e.ends_line;
        for (size_t off = 0; off < s.size();) {
            ssize_t n = ::write(fd, s.data() + off, s.size() - off);
            if (n <= 0) return;
            off += size_t(n);
        }
    }
};

// Appends what the file gained since `offset`.
bool read_more(int fd, off_t& offset, std::string& buf) {
    char chunk[65536];
    bool got = false;
    for (;;) {
        ssize_t n = ::pread(fd, chunk, sizeof chunk, offset);
        if (n <= 0) break;
        buf.append(chunk, size_t(n));
        offset += n;
        got = true;
    }
    return got;
}

int logs(const Globals& g, const Args& a) {
    auto id = resolve_container(g.root, a.positional[0]);
    if (!id) return fail(id.error(), 1);
    long tail = -1;
    if (a.has("tail") && a.value("tail") != "all") {
        std::string t = a.value("tail");
        char* end = nullptr;
        tail = std::strtol(t.c_str(), &end, 10);
        if (t.empty() || *end) return fail("invalid value for \"tail\": " + t, 1);
    }
    Printer p{a.flag("timestamps")};
    std::string path = log_path(g.root, *id);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && !a.flag("follow")) return 0; // never started: no output yet
    off_t offset = 0;
    std::string buf, rest;
    if (fd >= 0) read_more(fd, offset, buf);
    auto entries = parse_log_entries(buf, &rest);
    size_t first = tail >= 0 ? tail_start(entries, size_t(tail)) : 0;
    for (size_t i = first; i < entries.size(); ++i) p.print(entries[i]);
    if (!a.flag("follow")) {
        if (fd >= 0) ::close(fd);
        return 0;
    }
    int in = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (in >= 0) ::inotify_add_watch(in, container_dir(g.root, *id).c_str(), IN_MODIFY | IN_CREATE);
    for (;;) {
        bool alive = monitor_alive(g.root, *id);
        if (fd < 0) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        buf = rest;
        bool got = fd >= 0 && read_more(fd, offset, buf);
        for (const auto& e : parse_log_entries(buf, &rest)) p.print(e);
        // The monitor writes everything before it lets go of its lock: once it has, what we
        // read after that check is all there is.
        if (!alive) break;
        if (!got) {
            pollfd pf{in, POLLIN, 0};
            if (::poll(&pf, 1, 200) > 0) {
                char ev[4096];
                while (::read(in, ev, sizeof ev) > 0) {
                }
            }
        }
    }
    if (in >= 0) ::close(in);
    if (fd >= 0) ::close(fd);
    return 0;
}

const Command kLogs{"logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container",
                    {{"follow,f", Flag::Bool, "follow log output"},
                     {"tail,n", Flag::Value, "number of lines to show from the end of the logs", "all"},
                     {"timestamps,t", Flag::Bool, "show timestamps"}},
                    logs, 1, 1};
SKIFF_COMMAND(kLogs);

} // namespace
} // namespace skiff::skiffcli
