// runc's logging: text lines `time="..." level=error msg="..."` or JSON lines
// {"level":"error","msg":"...","time":"..."} to --log (default stderr). When --log names a
// file, errors are also printed plainly on stderr (containerd and podman read the file).
#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {
namespace {

int g_fd = 2;
bool g_to_file = false;
LogFormat g_format = LogFormat::Text;
bool g_debug = false;

std::string now_seconds() {
    time_t t = ::time(nullptr);
    tm tmv{};
    ::gmtime_r(&t, &tmv);
    char buf[32];
    ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    return buf;
}

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n <= 0) return;
        off += size_t(n);
    }
}

void emit(const char* level, const std::string& msg) {
    std::string line;
    if (g_format == LogFormat::Json) {
        nlohmann::ordered_json j;
        j["level"] = level;
        j["msg"] = msg;
        j["time"] = now_seconds();
        line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
        // Go's %q-style quoting of the message, as logrus prints it.
        std::string q = nlohmann::json(msg).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
        line = "time=\"" + now_seconds() + "\" level=" + level + " msg=" + q + "\n";
    }
    write_all(g_fd, line);
}

} // namespace

void configure_log(const std::string& path, LogFormat format, bool debug) {
    g_format = format;
    g_debug = debug;
    if (!path.empty() && path != "/dev/stderr") {
        int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            // Kept above the low fds so it never collides with fds handed to a container.
            int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 100);
            if (high >= 0) {
                ::close(fd);
                fd = high;
            }
            g_fd = fd;
            g_to_file = true;
        }
    }
}

bool debug_enabled() { return g_debug; }

void log_debug(const std::string& message) {
    if (g_debug) emit("debug", message);
}
void log_info(const std::string& message) { emit("info", message); }
void log_warning(const std::string& message) { emit("warning", message); }

void log_error(const std::string& message) {
    emit("error", message);
    if (g_to_file) write_all(2, message + "\n");
}

} // namespace skiff::runtime
