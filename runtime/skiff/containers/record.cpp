#include "record.hpp"

#include <time.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace skiff::skiffcli {

using nlohmann::json;

const char* to_string(State s) {
    switch (s) {
    case State::Created: return "created";
    case State::Running: return "running";
    case State::Exited: return "exited";
    }
    return "unknown";
}

std::string dump_record(const Record& r) {
    json j = {
        {"Id", r.id},
        {"Name", r.name},
        {"Created", r.created},
        {"Image", r.image},
        {"ImageId", r.image_id},
        {"Args", r.args},
        {"Entrypoint", r.entrypoint},
        {"Cmd", r.cmd},
        {"Env", r.env},
        {"User", r.user},
        {"WorkingDir", r.working_dir},
        {"Hostname", r.hostname},
        {"Tty", r.tty},
        {"OpenStdin", r.open_stdin},
        {"Isolation", r.isolation},
        {"Network", r.network},
        {"Memory", r.memory},
        {"NanoCpus", r.nano_cpus},
        {"PidsLimit", r.pids_limit},
        {"ReadonlyRootfs", r.read_only},
        {"AutoRemove", r.auto_remove},
        {"Binds", r.binds},
        {"StopSignal", r.stop_signal},
        {"State", to_string(r.state)},
        {"Pid", r.pid},
        {"ExitCode", r.exit_code},
        {"Error", r.error},
        {"StartedAt", r.started_at},
        {"FinishedAt", r.finished_at},
    };
    return j.dump(1) + "\n";
}

Result<Record> parse_record(const std::string& text, const std::string& source) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{source + ": not a JSON object"};
    Record r;
    try {
        auto str = [&](const char* k, std::string& out) {
            if (j.contains(k)) out = j.at(k).get<std::string>();
        };
        auto list = [&](const char* k, std::vector<std::string>& out) {
            if (j.contains(k)) out = j.at(k).get<std::vector<std::string>>();
        };
        auto flag = [&](const char* k, bool& out) {
            if (j.contains(k)) out = j.at(k).get<bool>();
        };
        auto num = [&](const char* k, auto& out) {
            if (j.contains(k)) out = j.at(k).get<std::decay_t<decltype(out)>>();
        };
        str("Id", r.id);
        str("Name", r.name);
        str("Created", r.created);
        str("Image", r.image);
        str("ImageId", r.image_id);
        list("Args", r.args);
        list("Entrypoint", r.entrypoint);
        list("Cmd", r.cmd);
        list("Env", r.env);
        str("User", r.user);
        str("WorkingDir", r.working_dir);
        str("Hostname", r.hostname);
        flag("Tty", r.tty);
        flag("OpenStdin", r.open_stdin);
        str("Isolation", r.isolation);
        str("Network", r.network);
        num("Memory", r.memory);
        num("NanoCpus", r.nano_cpus);
        num("PidsLimit", r.pids_limit);
        flag("ReadonlyRootfs", r.read_only);
        flag("AutoRemove", r.auto_remove);
        list("Binds", r.binds);
        str("StopSignal", r.stop_signal);
        std::string state = "created";
        str("State", state);
        if (state == "created") r.state = State::Created;
        else if (state == "running") r.state = State::Running;
        else if (state == "exited") r.state = State::Exited;
        else return Error{source + ": State: unknown state \"" + state + "\""};
        num("Pid", r.pid);
        num("ExitCode", r.exit_code);
        str("Error", r.error);
        str("StartedAt", r.started_at);
        str("FinishedAt", r.finished_at);
    } catch (const json::exception& e) {
        return Error{source + ": " + e.what()};
    }
    if (r.id.size() != 64) return Error{source + ": Id: want 64 hex digits"};
    return r;
}

std::string rfc3339_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    ::gmtime_r(&ts.tv_sec, &t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900, t.tm_mon + 1,
                  t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec);
    return buf;
}

} // namespace skiff::skiffcli
