#include "skiff/oci/isolation.hpp"

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

} // namespace skiff::oci
