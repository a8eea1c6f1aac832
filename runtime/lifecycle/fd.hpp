// Small RAII helpers shared by the lifecycle sources: an owned file descriptor and a scope
// guard that undoes a half-made step unless the step is committed.
#pragma once

#include <unistd.h>

#include <utility>

#include "linux/unique_fd.hpp"

namespace skiff::runtime {

using linux::UniqueFd;

template <class F>
class ScopeGuard {
public:
    explicit ScopeGuard(F f) : f_(std::move(f)) {}
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;
    ~ScopeGuard() {
        if (armed_) f_();
    }
    void commit() { armed_ = false; }

private:
    F f_;
    bool armed_ = true;
};

} // namespace skiff::runtime
