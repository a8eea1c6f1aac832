#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "skiff/oci/image/digest.hpp"
#include "table.hpp"

namespace skiff::skiffcli {

using image::BlobProgress;

namespace {

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

std::function<void(const BlobProgress&)> progress_printer(int fd, bool push) {
    bool tty = ::isatty(fd) == 1;
    auto lines = std::make_shared<std::vector<Line>>();
    return [fd, tty, push, lines](const BlobProgress& p) {
        std::string id = image::digest_hex(p.digest).substr(0, 12);
        std::string text = id + ": ";
        if (!p.mounted_from.empty()) text += "Mounted from " + p.mounted_from;
        else if (p.skipped) text += push ? "Layer already exists" : "Already exists";
        else if (p.finished) text += push ? "Pushed" : "Pull complete";
        else text += std::string(push ? "Pushing  " : "Downloading  ") + bar(p.done, p.total) + "  " +
                     human_size(p.done) + "/" + human_size(p.total);
        if (!tty) {
            if (p.finished) write_all(fd, text + (p.skipped ? "" : " " + human_size(p.total)) + "\n");
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

} // namespace skiff::skiffcli
