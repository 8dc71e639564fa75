// result<T, E>: the value of an operation that can fail in an expected way.
//
// A small stand-in for C++23 std::expected (g++ 12 lacks it). Holds either a T or an E.
// Accessing the wrong alternative is a programming error and aborts via OTTER_ASSERT.
// Not thread-safe; a value type like std::variant.
#pragma once

#include <utility>
#include <variant>

#include "base/assert.h"

namespace otter {

// Wraps an error so that result<T, E> can be built from it unambiguously.
template <typename E>
struct unexpected {
    E error;
};
template <typename E>
unexpected(E) -> unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] result {
  public:
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    result(unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        OTTER_ASSERT(has_value(), "result::value() on an error");
        return std::get<0>(v_);
    }
    const T& value() const& {
        OTTER_ASSERT(has_value(), "result::value() on an error");
        return std::get<0>(v_);
    }
    T&& value() && {
        OTTER_ASSERT(has_value(), "result::value() on an error");
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const {
        OTTER_ASSERT(!has_value(), "result::error() on a value");
        return std::get<1>(v_);
    }

  private:
    std::variant<T, E> v_;
};

// result<void, E>: success carries no value.
template <typename E>
class [[nodiscard]] result<void, E> {
  public:
    result() = default;
    result(unexpected<E> e) : error_(std::move(e.error)), ok_(false) {}  // NOLINT

    bool has_value() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const E& error() const {
        OTTER_ASSERT(!ok_, "result::error() on a value");
        return error_;
    }

  private:
    E error_{};
    bool ok_ = true;
};

}  // namespace otter
