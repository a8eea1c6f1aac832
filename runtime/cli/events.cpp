#include <cctype>
#include <cstdlib>

#include "args.hpp"

namespace skiff::cli {
namespace {

// Go durations as runc's --interval takes them: "5s", "250ms", "1m30s", "1.5s".
Result<int> parse_duration_ms(const std::string& text) {
    Error bad{"invalid value \"" + text + "\" for flag -interval: time: invalid duration"};
    if (text.empty()) return bad;
    double total = 0;
    const char* p = text.c_str();
    while (*p) {
        char* end = nullptr;
        double v = std::strtod(p, &end);
        if (end == p) return bad;
        std::string unit;
        while (*end && (std::isalpha(static_cast<unsigned char>(*end)) || *end == '\xc2' || *end == '\xb5'))
            unit += *end++;
        double mul;
        if (unit == "ns") mul = 1e-6;
        else if (unit == "us" || unit == "\xc2\xb5s") mul = 1e-3;
        else if (unit == "ms") mul = 1;
        else if (unit == "s") mul = 1000;
        else if (unit == "m") mul = 60000;
        else if (unit == "h") mul = 3600000;
        else return bad;
        total += v * mul;
        p = end;
    }
    if (total <= 0) return Error{"duration interval must be greater than 0"};
    return int(total < 1 ? 1 : total);
}

void print_line(const std::string& json) { out(json + "\n"); }

} // namespace

const Verb kEvents{
    "events", "[command options] <container-id>",
    "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    {{"interval", true, "set the stats collection interval (default: 5s)"},
     {"stats", false, "display the container's stats then exit"}},
    [](const runtime::Context& ctx, const Args& a) {
        auto interval = parse_duration_ms(a.value("interval", "5s"));
        if (!interval) return fail(interval.error());
        if (a.flag("stats")) {
            auto s = runtime::stats_event_json(ctx, a.positional[0]);
            if (!s) return fail(s.error());
            print_line(*s);
            return 0;
        }
        auto r = runtime::stream_events(ctx, a.positional[0], *interval, print_line);
        return r ? 0 : fail(r.error());
    }};

} // namespace skiff::cli
