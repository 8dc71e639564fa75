// strong_type<T, Tag>: a named integer (offsets, partition ids, producer ids) that does not
// silently mix with other integers. Comparisons and the arithmetic that makes sense for ids
// and offsets are provided; everything else goes through value().
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace otter {

template <typename T, typename Tag>
class strong_type {
  public:
    using value_type = T;
    constexpr strong_type() = default;
    constexpr explicit strong_type(T v) : v_(v) {}
    constexpr T value() const { return v_; }
    constexpr auto operator<=>(const strong_type&) const = default;
    constexpr strong_type operator+(T d) const { return strong_type(v_ + d); }
    constexpr strong_type operator-(T d) const { return strong_type(v_ - d); }
    constexpr T operator-(strong_type o) const { return v_ - o.v_; }
    constexpr strong_type& operator+=(T d) {
        v_ += d;
        return *this;
    }
    constexpr strong_type& operator++() {
        ++v_;
        return *this;
    }

  private:
    T v_{};
};

}  // namespace otter

template <typename T, typename Tag>
struct std::hash<otter::strong_type<T, Tag>> {
    size_t operator()(otter::strong_type<T, Tag> v) const noexcept {
        return std::hash<T>{}(v.value());
    }
};
