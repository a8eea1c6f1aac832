// Signal names as `kill` accepts them (runc: upper-cased, optional SIG prefix, or a number).
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {
namespace {

struct SignalName {
    const char* name;
    int number;
};

constexpr SignalName kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM},     {"BUS", SIGBUS},       {"CHLD", SIGCHLD},
    {"CLD", SIGCHLD},  {"CONT", SIGCONT},     {"FPE", SIGFPE},       {"HUP", SIGHUP},
    {"ILL", SIGILL},   {"INT", SIGINT},       {"IO", SIGIO},         {"IOT", SIGIOT},
    {"KILL", SIGKILL}, {"PIPE", SIGPIPE},     {"POLL", SIGPOLL},     {"PROF", SIGPROF},
    {"PWR", SIGPWR},   {"QUIT", SIGQUIT},     {"SEGV", SIGSEGV},     {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP}, {"SYS", SIGSYS},       {"TERM", SIGTERM},     {"TRAP", SIGTRAP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"USR1", SIGUSR1}, {"USR2", SIGUSR2},     {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

} // namespace

Result<int> parse_signal(const std::string& text) {
    Error unknown{"unknown signal \"" + text + "\""};
    if (text.empty()) return unknown;
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (text.size() > 3) return unknown;
        int n = std::stoi(text);
        if (n <= 0 || n > SIGRTMAX) return unknown;
        return n;
    }
    std::string s = text;
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    if (s.rfind("SIG", 0) == 0) s = s.substr(3);
    for (const auto& sn : kSignals)
        if (s == sn.name) return sn.number;
    // RTMIN, RTMIN+n, RTMAX-n
    auto rt = [&](const char* base, int value, int sign) -> Result<int> {
        size_t len = std::strlen(base);
        if (s.compare(0, len, base) != 0) return unknown;
        if (s.size() == len) return value;
        if (s[len] != (sign > 0 ? '+' : '-') || s.size() > len + 3) return unknown;
        std::string digits = s.substr(len + 1);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                           [](unsigned char c) { return std::isdigit(c); }))
            return unknown;
        int v = value + sign * std::stoi(digits);
        if (v < SIGRTMIN || v > SIGRTMAX) return unknown;
        return v;
    };
    if (s.rfind("RTMIN", 0) == 0) return rt("RTMIN", SIGRTMIN, +1);
    if (s.rfind("RTMAX", 0) == 0) return rt("RTMAX", SIGRTMAX, -1);
    return unknown;
}

} // namespace skiff::runtime
