// `update`: resources from -r FILE (or - for stdin, runc's JSON layout, which is the OCI
// linux.resources object) or from runc's individual flags.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "args.hpp"

namespace skiff::cli {
namespace {

Result<std::string> read_all(int fd, const std::string& what) {
    std::string s;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(n));
    if (n < 0) return errno_error("read " + what);
    return s;
}

// The OCI parser validates the object and names bad fields by JSON path; it parses whole
// configs, so the resources are wrapped into a minimal one.
Result<oci::Resources> parse_resources(const std::string& text, const std::string& source) {
    std::string doc = R"({"ociVersion":"1.0.0","root":{"path":"/"},"linux":{"resources":)" + text +
                      "}}";
    auto spec = oci::parse_spec(doc, source);
    if (!spec) {
        std::string m = spec.error().message;
        for (const std::string from : {"linux.resources.", "linux.resources"})
            if (auto p = m.find(from); p != std::string::npos) m.erase(p, from.size());
        return Error{m};
    }
    if (!spec->linux_ || !spec->linux_->resources) return oci::Resources{};
    return *spec->linux_->resources;
}

// docker/go-units RAMInBytes: "512", "10k", "64m", "1.5g", "2GiB"; binary multiples.
Result<int64_t> parse_bytes(const std::string& flag, const std::string& text) {
    if (text == "-1") return int64_t(-1);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || v < 0) return Error{"invalid value \"" + text + "\" for flag -" + flag};
    std::string unit(end);
    for (char& c : unit) c = char(std::tolower(static_cast<unsigned char>(c)));
    double mul = 1;
    if (unit.empty() || unit == "b") mul = 1;
    else if (unit[0] == 'k') mul = 1024.0;
    else if (unit[0] == 'm') mul = 1024.0 * 1024;
    else if (unit[0] == 'g') mul = 1024.0 * 1024 * 1024;
    else if (unit[0] == 't') mul = 1024.0 * 1024 * 1024 * 1024;
    else return Error{"invalid value \"" + text + "\" for flag -" + flag};
    if (unit.size() > 1 && unit.substr(1) != "b" && unit.substr(1) != "ib")
        return Error{"invalid value \"" + text + "\" for flag -" + flag};
    return int64_t(std::llround(v * mul));
}

Result<uint64_t> parse_u64(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end || errno || text[0] == '-')
        return Error{"invalid value \"" + text + "\" for flag -" + flag};
    return uint64_t(v);
}

Result<int64_t> parse_i64(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || errno) return Error{"invalid value \"" + text + "\" for flag -" + flag};
    return int64_t(v);
}

Result<oci::Resources> from_flags(const Args& a) {
    oci::Resources r;
    auto mem = [&]() -> oci::Memory& {
        if (!r.memory) r.memory.emplace();
        return *r.memory;
    };
    auto cpu = [&]() -> oci::Cpu& {
        if (!r.cpu) r.cpu.emplace();
        return *r.cpu;
    };
    if (a.has("memory")) mem().limit = SKIFF_TRY(parse_bytes("memory", a.value("memory")));
    if (a.has("memory-reservation"))
        mem().reservation = SKIFF_TRY(parse_bytes("memory-reservation", a.value("memory-reservation")));
    if (a.has("memory-swap")) mem().swap = SKIFF_TRY(parse_bytes("memory-swap", a.value("memory-swap")));
    if (a.has("kernel-memory"))
        mem().kernel = SKIFF_TRY(parse_bytes("kernel-memory", a.value("kernel-memory")));
    if (a.has("cpu-share")) cpu().shares = SKIFF_TRY(parse_u64("cpu-share", a.value("cpu-share")));
    if (a.has("cpu-quota")) cpu().quota = SKIFF_TRY(parse_i64("cpu-quota", a.value("cpu-quota")));
    if (a.has("cpu-period")) cpu().period = SKIFF_TRY(parse_u64("cpu-period", a.value("cpu-period")));
    if (a.has("cpu-rt-period"))
        cpu().realtime_period = SKIFF_TRY(parse_u64("cpu-rt-period", a.value("cpu-rt-period")));
    if (a.has("cpu-rt-runtime"))
        cpu().realtime_runtime = SKIFF_TRY(parse_i64("cpu-rt-runtime", a.value("cpu-rt-runtime")));
    if (a.has("cpuset-cpus")) cpu().cpus = a.value("cpuset-cpus");
    if (a.has("cpuset-mems")) cpu().mems = a.value("cpuset-mems");
    if (a.has("pids-limit")) {
        r.pids.emplace();
        r.pids->limit = SKIFF_TRY(parse_i64("pids-limit", a.value("pids-limit")));
    }
    if (a.has("blkio-weight")) {
        auto w = SKIFF_TRY(parse_u64("blkio-weight", a.value("blkio-weight")));
        if (w != 0 && (w < 10 || w > 1000))
            return Error{"invalid value for flag -blkio-weight: range is from 10 to 1000"};
        r.block_io.emplace();
        r.block_io->weight = uint16_t(w);
    }
    if (a.has("l3-cache-schema") || a.has("mem-bw-schema"))
        return Error{"Intel RDT is not supported by this runtime"};
    return r;
}

} // namespace

const Verb kUpdate{
    "update", "[command options] <container-id>", "update container resource constraints",
    {{"resources,r", true, "path to the file containing the resources to update or '-' to read "
                           "from the standard input"},
     {"blkio-weight", true, "Specifies per cgroup weight, range is from 10 to 1000 (default: 0)"},
     {"cpu-period", true, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
     {"cpu-quota", true, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
     {"cpu-share", true, "CPU shares (relative weight vs. other containers)"},
     {"cpu-rt-period", true, "CPU realtime period to be used for hardcapping (in usecs)"},
     {"cpu-rt-runtime", true, "CPU realtime hardcap limit (in usecs)"},
     {"cpuset-cpus", true, "CPU(s) to use"},
     {"cpuset-mems", true, "Memory node(s) to use"},
     {"kernel-memory", true, "Kernel memory limit (in bytes)"},
     {"memory", true, "Memory limit (in bytes)"},
     {"memory-reservation", true, "Memory reservation or soft_limit (in bytes)"},
     {"memory-swap", true, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
     {"pids-limit", true, "Maximum number of pids allowed in the container (default: 0)"},
     {"l3-cache-schema", true, "The string of Intel RDT/CAT L3 cache schema"},
     {"mem-bw-schema", true, "The string of Intel RDT/MBA memory bandwidth schema"}},
    [](const runtime::Context& ctx, const Args& a) {
        Result<oci::Resources> res = oci::Resources{};
        if (a.has("resources")) {
            std::string src = a.value("resources");
            Result<std::string> text = std::string();
            if (src == "-") {
                text = read_all(0, "standard input");
            } else {
                int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) return fail(errno_error("open " + src));
                text = read_all(fd, src);
                ::close(fd);
            }
            if (!text) return fail(text.error());
            res = parse_resources(*text, src == "-" ? "resources (stdin)" : src);
        } else {
            res = from_flags(a);
        }
        if (!res) return fail(res.error());
        auto r = runtime::update(ctx, a.positional[0], *res);
        return r ? 0 : fail(r.error());
    }};

} // namespace skiff::cli
