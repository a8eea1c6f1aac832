#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

Result<Isolation> isolation_of(const oci::Spec& spec) {
    auto it = spec.annotations.find(kIsolationAnnotation);
    if (it == spec.annotations.end() || it->second == "container") return Isolation::Container;
    if (it->second == "vm") return Isolation::Vm;
    return Error{std::string("annotation ") + kIsolationAnnotation + ": unknown isolation \"" +
                 it->second + "\" (expected \"container\" or \"vm\")"};
}

} // namespace skiff::runtime
