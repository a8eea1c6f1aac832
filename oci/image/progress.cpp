// Pull and push progress as docker prints it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "skiff/oci/image/digest.hpp"
#include "skiff/oci/image/registry.hpp"

namespace skiff::image {
namespace {

// docker's units.HumanSize, as the CLI's tables print sizes.
std::string size_text(uint64_t b) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = double(b);
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%s", v, units[u]);
    return buf;
}

std::string bar(uint64_t done, uint64_t total) {
    constexpr int kWidth = 50;
    int fill = total ? int(double(done) / double(total) * kWidth) : 0;
    if (fill > kWidth) fill = kWidth;
    std::string s = "[" + std::string(size_t(fill), '=');
    if (fill < kWidth) s += ">" + std::string(size_t(kWidth - fill - 1), ' ');
    return s + "]";
}

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n <= 0) return; // a closed terminal or pipe does not stop the pull
        off += size_t(n);
    }
}

struct Line {
    std::string id;
    std::chrono::steady_clock::time_point drawn{};
};

} // namespace

std::function<void(const BlobProgress&)> terminal_progress(int fd, bool push) {
    bool tty = ::isatty(fd) == 1;
    auto lines = std::make_shared<std::vector<Line>>();
    return [fd, tty, push, lines](const BlobProgress& p) {
        std::string id = digest_hex(p.digest).substr(0, 12);
        std::string text = id + ": ";
        if (p.skipped) text += push ? "Layer already exists" : "Already exists";
        else if (p.finished) text += push ? "Pushed" : "Pull complete";
        else text += std::string(push ? "Pushing  " : "Downloading  ") + bar(p.done, p.total) + "  " +
                     size_text(p.done) + "/" + size_text(p.total);
        if (!tty) {
            if (p.finished) write_all(fd, text + (p.skipped ? "" : " " + size_text(p.total)) + "\n");
            return;
        }
        size_t idx = 0;
        while (idx < lines->size() && (*lines)[idx].id != id) ++idx;
        auto now = std::chrono::steady_clock::now();
        if (idx == lines->size()) {
            lines->push_back({id, now});
            write_all(fd, text + "\n");
            return;
        }
        Line& l = (*lines)[idx];
        if (!p.finished && now - l.drawn < std::chrono::milliseconds(100)) return;
        l.drawn = now;
        // Up to this blob's line, rewrite it, back down below the last line.
        std::string up = std::to_string(lines->size() - idx);
        write_all(fd, "\x1b[" + up + "A\r\x1b[2K" + text + "\x1b[" + up + "B\r");
    };
}

} // namespace skiff::image
