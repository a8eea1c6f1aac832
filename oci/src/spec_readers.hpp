// Readers for each OCI struct, shared by parse_spec, parse_process and parse_resources.
// Each checks what runc checks at create time for that value and reports it by JSON path.
#pragma once

#include "json_reader.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::oci::detail {

bool read(const Val& v, IdMapping& out);
bool read(const Val& v, User& out);
bool read(const Val& v, Rlimit& out);
bool read(const Val& v, Capabilities& out);
bool read(const Val& v, ConsoleSize& out);
bool read(const Val& v, Scheduler& out);
bool read(const Val& v, IoPriority& out);
bool read(const Val& v, Process& out);
bool read(const Val& v, Root& out);
bool read(const Val& v, Mount& out);
bool read(const Val& v, Hook& out);
bool read(const Val& v, Hooks& out);
bool read(const Val& v, Namespace& out);
bool read(const Val& v, Device& out);
bool read(const Val& v, TimeOffset& out);
bool read(const Val& v, Personality& out);
bool read(const Val& v, IntelRdt& out);
bool read(const Val& v, SeccompArg& out);
bool read(const Val& v, SeccompSyscall& out);
bool read(const Val& v, Seccomp& out);
bool read(const Val& v, Linux& out);
bool read(const Val& v, Spec& out);

bool read(const Val& v, DeviceRule& out);
bool read(const Val& v, Memory& out);
bool read(const Val& v, Cpu& out);
bool read(const Val& v, Pids& out);
bool read(const Val& v, WeightDevice& out);
bool read(const Val& v, ThrottleDevice& out);
bool read(const Val& v, BlockIO& out);
bool read(const Val& v, HugepageLimit& out);
bool read(const Val& v, NetworkPriority& out);
bool read(const Val& v, Network& out);
bool read(const Val& v, Rdma& out);
bool read(const Val& v, Resources& out);

// Reads a whole file with one open and as few reads as its size allows.
Result<std::string> read_small_file(const std::string& path);

// Reads a whole document (config.json, process.json, resources.json) rooted at `source`.
template <class T>
Result<T> read_document(const std::string& text, std::string_view source) {
    JDoc doc = SKIFF_TRY(JDoc::parse(text, source));
    Reader reader(source, doc);
    T out{};
    Val root{&reader, &doc.root(), {}};
    if (doc.root().is_null()) root.fail("expected an object, got null");
    else read(root, out);
    if (reader.failed()) return reader.take_error();
    return out;
}

} // namespace skiff::oci::detail
