// The OCI state document and container-id rules.
#include <nlohmann/json.hpp>

#include "skiff/oci/state.hpp"
#include "spec_readers.hpp"

namespace skiff::oci {

namespace {
constexpr const char* kStatusNames[] = {"creating", "created", "running", "paused", "stopped"};
} // namespace

const char* to_string(Status s) { return kStatusNames[static_cast<int>(s)]; }

Result<Status> parse_status(const std::string& s) {
    for (int i = 0; i < 5; ++i)
        if (s == kStatusNames[i]) return static_cast<Status>(i);
    return Error{"unknown status \"" + s + "\""};
}

std::string dump_state(const State& state, int indent) {
    nlohmann::ordered_json o = {
        {"ociVersion", state.oci_version}, {"id", state.id}, {"status", to_string(state.status)}};
    if (state.pid != 0) o["pid"] = state.pid;
    o["bundle"] = state.bundle;
    if (!state.annotations.empty()) o["annotations"] = state.annotations;
    return o.dump(indent);
}

namespace detail {

static bool read(const Val& v, State& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "ociVersion", out.oci_version)) return false;
    if (!read_required(v, "id", out.id)) return false;
    std::string status;
    if (!read_required(v, "status", status)) return false;
    auto st = parse_status(status);
    if (!st) return v["status"].fail(st.error().message);
    out.status = *st;
    if (read(v["pid"], out.pid) && out.pid < 0)
        return v["pid"].fail("must not be negative, got " + std::to_string(out.pid));
    if (!read_required(v, "bundle", out.bundle)) return false;
    read(v["annotations"], out.annotations);
    return !v.reader->failed();
}

} // namespace detail

Result<State> parse_state(const std::string& json_text, const std::string& source) {
    return detail::read_document<State>(json_text, source);
}

Result<void> validate_container_id(const std::string& id) {
    if (id.empty()) return Error{"invalid container id \"\": must not be empty"};
    if (id == "." || id == "..")
        return Error{"invalid container id \"" + id + "\": must not be \".\" or \"..\""};
    if (id.size() > 255)
        return Error{"invalid container id \"" + id.substr(0, 32) + "...\": " +
                     std::to_string(id.size()) + " bytes, at most 255 allowed"};
    for (unsigned char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok)
            return Error{"invalid container id \"" + id +
                         "\": only letters, digits and _ + - . are allowed"};
    }
    return ok();
}

} // namespace skiff::oci
