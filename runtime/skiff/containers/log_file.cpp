#include "log_file.hpp"

namespace skiff::skiffcli {

std::string format_log_entries(Stream s, std::string_view chunk, const std::string& ts) {
    const char* name = s == Stream::Stdout ? " stdout " : " stderr ";
    std::string out;
    size_t pos = 0;
    while (pos < chunk.size()) {
        size_t nl = chunk.find('\n', pos);
        bool full = nl != std::string_view::npos;
        size_t end = full ? nl : chunk.size();
        out += ts;
        out += name;
        out += full ? "F " : "P ";
        out.append(chunk.substr(pos, end - pos));
        out += '\n';
        pos = full ? nl + 1 : end;
    }
    return out;
}

std::vector<LogEntry> parse_log_entries(std::string_view data, std::string* rest) {
    std::vector<LogEntry> out;
    size_t pos = 0;
    while (pos < data.size()) {
        size_t nl = data.find('\n', pos);
        if (nl == std::string_view::npos) break;
        std::string_view e = data.substr(pos, nl - pos);
        pos = nl + 1;
        size_t s1 = e.find(' ');
        if (s1 == std::string_view::npos) continue;
        size_t s2 = e.find(' ', s1 + 1);
        if (s2 == std::string_view::npos || s2 + 2 > e.size()) continue;
        LogEntry le;
        le.timestamp = std::string(e.substr(0, s1));
        le.stream = e.substr(s1 + 1, s2 - s1 - 1) == "stderr" ? Stream::Stderr : Stream::Stdout;
        le.ends_line = e[s2 + 1] == 'F';
        if (s2 + 3 <= e.size()) le.text = std::string(e.substr(s2 + 3));
        out.push_back(std::move(le));
    }
    if (rest) *rest = std::string(data.substr(pos));
    return out;
}

size_t tail_start(const std::vector<LogEntry>& entries, size_t n) {
    if (n == 0) return entries.size();
    size_t i = entries.size();
    size_t lines = 0;
    // Walk back over whole lines: a line is its P pieces plus the F that ends it.
    if (i > 0 && !entries[i - 1].ends_line) {
        while (i > 0 && !entries[i - 1].ends_line) --i;
        ++lines;
    }
    while (i > 0 && lines < n) {
        --i; // the F of this line
        while (i > 0 && !entries[i - 1].ends_line) --i;
        ++lines;
    }
    return i;
}

} // namespace skiff::skiffcli
