#include "table.hpp"

#include <cstdio>
#include <ctime>

namespace skiff::skiffcli {
namespace {

// Display width of UTF-8 text: continuation bytes take no column ("…" in ps is one).
size_t columns(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

} // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size(), 0);
    auto widen = [&](const std::vector<std::string>& r) {
        for (size_t i = 0; i < r.size() && i < width.size(); ++i)
            if (columns(r[i]) > width[i]) width[i] = columns(r[i]);
    };
    widen(header);
    for (const auto& r : rows) widen(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& r) {
        std::string l;
        for (size_t i = 0; i < width.size(); ++i) {
            std::string cell = i < r.size() ? r[i] : "";
            l += cell;
            if (i + 1 < width.size()) l += std::string(width[i] - columns(cell) + 3, ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l + "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
    return out;
}

std::string human_duration(int64_t s) {
    auto n = [](int64_t v, const char* unit) {
        return std::to_string(v) + " " + unit + (v == 1 ? "" : "s");
    };
    if (s < 1) return "Less than a second";
    if (s == 1) return "1 second";
    if (s < 60) return n(s, "second");
    int64_t m = s / 60;
    if (m == 1) return "About a minute";
    if (m < 60) return n(m, "minute");
    int64_t h = s / 3600;
    if (h == 1) return "About an hour";
    if (h < 48) return n(h, "hour");
    if (h < 24 * 7 * 2) return n(h / 24, "day");
    if (h < 24 * 30 * 2) return n(h / 24 / 7, "week");
    if (h < 24 * 365 * 2) return n(h / 24 / 30, "month");
    return n(h / 24 / 365, "year");
}

std::string human_size(uint64_t bytes) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000 && u < 6) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g%s", v, units[u]);
    return buf;
}

int64_t parse_rfc3339(const std::string& t) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return 0;
    if (tm.tm_year <= 1) return 0; // Go's zero time: never
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t s = int64_t(::timegm(&tm));
    size_t i = size_t(consumed);
    if (i < t.size() && t[i] == '.')
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
        }
    int oh = 0, om = 0;
    if (i < t.size() && (t[i] == '+' || t[i] == '-') && std::sscanf(t.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2)
        s -= (t[i] == '+' ? 1 : -1) * int64_t(oh * 3600 + om * 60);
    return s;
}

} // namespace skiff::skiffcli
