#include "device_rules.hpp"

namespace skiff::runtime {
namespace {

oci::DeviceRule allow(const char* type, std::optional<int64_t> major,
                      std::optional<int64_t> minor, const char* access) {
    oci::DeviceRule r;
    r.allow = true;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

} // namespace

oci::Resources effective_resources(const oci::Linux& linux) {
    oci::Resources r = linux.resources.value_or(oci::Resources{});
    for (const auto& d : linux.devices) {
        if (d.type == "p") continue; // fifos are not device-controlled
        r.devices.push_back(allow(d.type == "u" ? "c" : d.type.c_str(), d.major, d.minor, "rwm"));
    }
    const oci::DeviceRule defaults[] = {
        allow("c", std::nullopt, std::nullopt, "m"), // mknod of any char device
        allow("b", std::nullopt, std::nullopt, "m"), // and block device
        allow("c", 1, 3, "rwm"),                     // /dev/null
        allow("c", 1, 8, "rwm"),                     // /dev/random
        allow("c", 1, 7, "rwm"),                     // /dev/full
        allow("c", 5, 0, "rwm"),                     // /dev/tty
        allow("c", 1, 5, "rwm"),                     // /dev/zero
        allow("c", 1, 9, "rwm"),                     // /dev/urandom
        allow("c", 5, 1, "rwm"),                     // /dev/console
        allow("c", 136, std::nullopt, "rwm"),        // /dev/pts/*
        allow("c", 5, 2, "rwm"),                     // /dev/ptmx
        allow("c", 10, 200, "rwm"),                  // /dev/net/tun
    };
    for (const auto& d : defaults) r.devices.push_back(d);
    return r;
}

} // namespace skiff::runtime
