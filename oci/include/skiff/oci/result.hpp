// The one result type of skiff's host layers (oci, runtime). Errors are values whose message is
// the user-facing text: it names the field, file or syscall that failed. Exceptions are caught
// and turned into messages only at the CLI edge.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace skiff {

struct Error {
    std::string message;
    int code = 0; // errno when a syscall failed, else 0

    // Prefixes context: Error{"open config.json: ENOENT"}.wrap("create") -> "create: open ...".
    Error wrap(const std::string& context) const& { return {context + ": " + message, code}; }
};

// "what: strerror(errno)" with errno kept, for failed syscalls.
inline Error errno_error(const std::string& what, int err = errno) {
    return {what + ": " + std::strerror(err), err};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : err_(std::move(error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }

private:
    Error err_;
    bool failed_ = false;
};

inline Result<void> ok() { return {}; }

} // namespace skiff

// Propagates an error to the caller; yields the value otherwise (GNU statement expression,
// supported by both g++ and clang++).
#define SKIFF_TRY(expr)                                                                            \
    ({                                                                                             \
        auto skiff_try_result_ = (expr);                                                           \
        if (!skiff_try_result_.ok()) return std::move(skiff_try_result_).error();                  \
        std::move(skiff_try_result_).value();                                                      \
    })

// Like SKIFF_TRY for Result<void>, as a statement.
#define SKIFF_CHECK(expr)                                                                          \
    do {                                                                                           \
        auto skiff_check_result_ = (expr);                                                         \
        if (!skiff_check_result_.ok()) return std::move(skiff_check_result_).error();              \
    } while (0)
