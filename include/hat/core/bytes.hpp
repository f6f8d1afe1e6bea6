// A minimal binary serialisation for solver states (checkpoints): numbers are stored as their
// raw bytes (little-endian machines; doubles bit-exactly), strings, vectors and matrices with
// their sizes. A reader that runs out of bytes or meets an implausible size throws InputError.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "hat/core/error.hpp"

namespace hat {

class ByteWriter {
 public:
  template <class T>
  std::enable_if_t<std::is_arithmetic_v<T>> put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put(const std::string& s) {
    put(static_cast<std::int64_t>(s.size()));
    out_.append(s);
  }
  void put(const Eigen::VectorXd& v) {
    put(static_cast<std::int64_t>(v.size()));
    out_.append(reinterpret_cast<const char*>(v.data()), sizeof(double) * v.size());
  }
  void put(const Eigen::MatrixXd& m) {
    put(static_cast<std::int64_t>(m.rows()));
    put(static_cast<std::int64_t>(m.cols()));
    out_.append(reinterpret_cast<const char*>(m.data()), sizeof(double) * m.size());
  }
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  ByteReader(const std::string& bytes, std::string what) : s_(bytes), what_(std::move(what)) {}
  template <class T>
  std::enable_if_t<std::is_arithmetic_v<T>, T> get() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::string get_string() {
    const auto n = size(1);
    return std::string(take(n), n);
  }
  Eigen::VectorXd get_vector() {
    const auto n = size(sizeof(double));
    Eigen::VectorXd v(static_cast<Eigen::Index>(n));
    if (n) std::memcpy(v.data(), take(n * sizeof(double)), n * sizeof(double));
    return v;
  }
  Eigen::MatrixXd get_matrix() {
    const auto r = size(0), c = size(0);
    if (r && c > (s_.size() - pos_) / sizeof(double) / r) fail();
    Eigen::MatrixXd m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
    if (r * c != 0) std::memcpy(m.data(), take(r * c * sizeof(double)), r * c * sizeof(double));
    return m;
  }
  bool at_end() const { return pos_ == s_.size(); }

 private:
  const std::string& s_;
  std::string what_;
  size_t pos_ = 0;
  [[noreturn]] void fail() const {
    throw InputError(what_ + ": truncated or corrupt solver state");
  }
  const char* take(size_t n) {
    if (n > s_.size() - pos_) fail();
    const char* p = s_.data() + pos_;
    pos_ += n;
    return p;
  }
  // A size whose elements (of `unit` bytes each) fit in what is left.
  size_t size(size_t unit) {
    const auto n = get<std::int64_t>();
    if (n < 0 || (unit && static_cast<std::uint64_t>(n) > (s_.size() - pos_) / unit)) fail();
    return static_cast<size_t>(n);
  }
};

}  // namespace hat
