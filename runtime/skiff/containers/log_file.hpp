// A container's output as the monitor records it, in the CRI (kubelet/podman "k8s-file")
// line format, one entry a line:
//   2026-11-23T21:13:17.123456789Z stdout F hello
// F ends a line of the program's output, P is a piece of a line the program has not finished
// yet (written at once so `logs -f` shows it; the pieces join up to the next F).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::skiffcli {

enum class Stream { Stdout, Stderr };

// Output chunk -> entries.
std::string format_log_entries(Stream s, std::string_view chunk, const std::string& timestamp);

struct LogEntry {
    std::string timestamp;
    Stream stream = Stream::Stdout;
    bool ends_line = false; // F
    std::string text;
};

// Parses whole entries; a trailing unfinished one (no "\n" yet) is left in `rest`.
std::vector<LogEntry> parse_log_entries(std::string_view data, std::string* rest);

// The index of the first entry of the last `n` lines (an unfinished line counts as one).
size_t tail_start(const std::vector<LogEntry>& entries, size_t n);

} // namespace skiff::skiffcli
