#include "interrupt.hpp"

#include <signal.h>

namespace skiff::runtime {
namespace {

volatile sig_atomic_t g_signal = 0;
constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

void on_signal(int sig) { g_signal = sig; }

} // namespace

void install_interrupt_handlers() {
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int s : kSignals) ::sigaction(s, &sa, nullptr);
}

void restore_default_handlers() {
    struct sigaction sa{};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int s : kSignals) ::sigaction(s, &sa, nullptr);
}

int interrupted() { return g_signal; }

} // namespace skiff::runtime
