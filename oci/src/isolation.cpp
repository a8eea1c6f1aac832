#include "skiff/oci/isolation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "spec_readers.hpp"

namespace skiff::oci {

const char* to_string(Isolation isolation) {
    return isolation == Isolation::Vm ? "vm" : "container";
}

Result<Isolation> parse_isolation(std::string_view value) {
    if (value == "container") return Isolation::Container;
    if (value == "vm") return Isolation::Vm;
    return Error{"unknown isolation mode \"" + std::string(value) + "\" (expected container or vm)"};
}

Result<Isolation> isolation_of(const Spec& spec, Isolation fallback) {
    auto it = spec.annotations.find(kIsolationAnnotation);
    if (it == spec.annotations.end()) return fallback;
    auto mode = parse_isolation(it->second);
    if (!mode) return mode.error().wrap("annotations[\"" + std::string(kIsolationAnnotation) + "\"]");
    return mode;
}

namespace detail {

bool read(const Val& v, HostConfig& out) {
    if (!v.expect_object()) return false;
    if (Val iso = v["isolation"]) {
        std::string name;
        if (!read(iso, name)) return false;
        auto mode = parse_isolation(name);
        if (!mode) return iso.fail(mode.error().message);
        out.isolation = *mode;
    }
    if (Val fb = v["vm_fallback"]) {
        if (!read(fb, out.vm_fallback)) return false;
    }
    return !v.reader->failed();
}

} // namespace detail

Result<HostConfig> parse_host_config(const std::string& json_text, std::string_view source) {
    return detail::read_document<HostConfig>(json_text, source);
}

std::string host_config_path() {
    const char* env = std::getenv(kHostConfigEnv);
    return env && *env ? env : kHostConfigPath;
}

Result<HostConfig> load_host_config() {
    // Read on every create: a missing file costs one failed open, a present one one read.
    const std::string path = host_config_path();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return HostConfig{};
        return errno_error("skiff config " + path + ": open");
    }
    char buf[4096];
    ssize_t n;
    do n = ::read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    int err = errno;
    ::close(fd);
    if (n < 0) return errno_error("skiff config " + path + ": read", err);
    if (size_t(n) == sizeof buf) return Error{"skiff config " + path + ": larger than 4 KiB"};
    return parse_host_config(std::string(buf, size_t(n)), path);
}

} // namespace skiff::oci
