#include "lifecycle.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"
#include "store.hpp"

namespace skiff::skiffcli {
namespace {

bool gone(const Error& e) { return e.code == ENOENT || e.message.find("does not exist") != std::string::npos; }

// Waits until pid exits, at most timeout_ms (< 0: forever). True when it is gone.
bool wait_exit(pid_t pid, int timeout_ms) {
    int fd = int(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return errno == ESRCH;
    pollfd p{fd, POLLIN, 0};
    int r;
    while ((r = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    ::close(fd);
    return r > 0;
}

// The runtime's view: true when it still has a live container under this id.
bool runtime_alive(const Globals& g, const std::string& id) {
    auto st = runtime::state(runtime_context(g), id);
    return st && st->status != oci::Status::Stopped;
}

} // namespace

void debug_log(const Globals& g, const std::string& message) {
    if (!g.debug) return;
    if (!runtime::debug_enabled()) runtime::configure_log("", runtime::LogFormat::Text, true);
    runtime::log_debug(message);
}

runtime::Context runtime_context(const Globals& g) {
    if (g.debug && !runtime::debug_enabled()) runtime::configure_log("", runtime::LogFormat::Text, true);
    runtime::Context ctx;
    ctx.root = g.runroot;
    return ctx;
}

std::optional<Record> reconcile_locked(const Globals& g, Record now) {
    if (now.state != State::Running || monitor_alive(g.root, now.id)) return now;
    auto ctx = runtime_context(g);
    auto st = runtime::state(ctx, now.id);
    if (st && st->status != oci::Status::Stopped) return now; // runs on, unwatched
    debug_log(g, "container " + now.id + ": no monitor and " + (st ? "stopped" : "no runtime state") +
                     ": recorded as exited (255)");
    if (st) (void)runtime::remove(ctx, now.id, true);
    else (void)runtime::remove_lost(ctx, now.id, container_dir(g.root, now.id)); // a reboot's leftovers
    now.state = State::Exited;
    now.exit_code = 255;
    now.pid = 0;
    now.finished_at = rfc3339_now();
    if (now.auto_remove) {
        (void)remove_files(g, now);
        return std::nullopt;
    }
    (void)save_record(g.root, now);
    return now;
}

std::optional<Record> refresh(const Globals& g, const Record& r) {
    if (r.state != State::Running || monitor_alive(g.root, r.id)) return r;
    auto lock = lock_record(g.root, r.id);
    if (!lock) return r;
    auto now = load_record(g.root, r.id);
    if (!now) return std::nullopt;
    return reconcile_locked(g, std::move(*now));
}

bool is_running(const Globals& g, const Record& r) {
    auto now = refresh(g, r);
    return now && now->state == State::Running;
}

void record_exit(const Globals& g, const std::string& id, int exit_code) {
    auto lock = lock_record(g.root, id);
    if (!lock) return;
    auto rm = runtime::remove(runtime_context(g), id, true);
    debug_log(g, "container " + id + " exited with code " + std::to_string(exit_code));
    auto r = load_record(g.root, id);
    if (!r) return;
    if (r->auto_remove) {
        (void)remove_files(g, *r);
        return;
    }
    r->state = State::Exited;
    r->exit_code = exit_code;
    r->pid = 0;
    r->finished_at = rfc3339_now();
    if (!rm && !gone(rm.error())) r->error = rm.error().message;
    (void)save_record(g.root, *r);
}

int each_container(const Globals& g, const std::vector<std::string>& refs,
                   const std::function<Result<void>(const std::string& id, const std::string& ref)>& act) {
    int rc = 0;
    for (const auto& ref : refs) {
        auto id = resolve_container(g.root, ref);
        auto r = id ? act(*id, ref) : Result<void>(id.error());
        if (!r) {
            fail(r.error(), 1);
            rc = 1;
            continue;
        }
        out(ref + "\n");
    }
    return rc;
}

Result<void> remove_files(const Globals& g, const Record& r) {
    auto store = SKIFF_TRY(image::Store::open(g.root));
    SKIFF_CHECK(image::remove_rootfs(store, r.id));
    release_name(g.root, r.name, r.id);
    return ok();
}

Result<void> remove_container(const Globals& g, const std::string& id, bool force) {
    auto lock = SKIFF_TRY(lock_record(g.root, id));
    auto r = SKIFF_TRY(load_record(g.root, id));
    auto ctx = runtime_context(g);
    if (!force && runtime_alive(g, id))
        return Error{"You cannot remove a running container " + id +
                     ". Stop the container before attempting removal or force remove"};
    if (auto rm = runtime::remove(ctx, id, true); !rm && !gone(rm.error())) return std::move(rm).error();
    return remove_files(g, r);
}

Result<void> stop_container(const Globals& g, const std::string& id, int timeout) {
    auto r = SKIFF_TRY(load_record(g.root, id));
    auto ctx = runtime_context(g);
    auto st = runtime::state(ctx, id);
    if (st && st->status != oci::Status::Stopped && st->pid > 0) {
        int sig = SIGTERM;
        if (!r.stop_signal.empty()) sig = SKIFF_TRY(runtime::parse_signal(r.stop_signal));
        (void)runtime::kill(ctx, id, sig, false);
        if (!wait_exit(st->pid, timeout < 0 ? -1 : timeout * 1000)) {
            (void)runtime::kill(ctx, id, SIGKILL, false);
            wait_exit(st->pid, 10000);
        }
    }
    // The monitor records the exit; wait for it to let go (it does within milliseconds).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (monitor_alive(g.root, id) && std::chrono::steady_clock::now() < deadline) ::usleep(2000);
    if (auto now = load_record(g.root, id)) (void)refresh(g, *now);
    return ok();
}

} // namespace skiff::skiffcli
