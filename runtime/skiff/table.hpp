// docker's output shapes: column tables, "3 minutes ago", "4.26MB".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skiff::skiffcli {

// Left-aligned columns separated by at least three spaces, the header row first, each line
// ending in "\n" (docker's tabwriter with padding 3).
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

// docker's units.HumanDuration: "Less than a second", "1 second", "45 seconds",
// "About a minute", "3 minutes", "About an hour", "5 hours", "2 days", "3 weeks", "4 months",
// "2 years".
std::string human_duration(int64_t seconds);

// docker's units.HumanSize (decimal, 4 significant digits): "0B", "999B", "1.5kB", "4.26MB".
std::string human_size(uint64_t bytes);

// Seconds since the epoch of an RFC 3339 time ("2026-11-23T21:08:05.123456789Z", "+01:00"
// offsets); 0 for text that is not one, and for Go's zero time (year 1).
int64_t parse_rfc3339(const std::string& text);

} // namespace skiff::skiffcli
