#pragma once
// NumPy-style arrays (io::Array) from and to typed vectors, for tests that
// write .npy/.npz inputs or read outputs back.

#include <cstring>
#include <string>
#include <vector>

#include "io/npy.h"

namespace qs::test {

template <class T>
io::Array array(std::string name, io::DType dtype, std::vector<int64_t> shape, const std::vector<T>& v) {
  io::Array a;
  a.name = std::move(name);
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(v.size() * sizeof(T));
  std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

// The array's bytes as values of T (the caller knows the dtype).
template <class T>
std::vector<T> values(const io::Array& a) {
  std::vector<T> out(a.data.size() / sizeof(T));
  std::memcpy(out.data(), a.data.data(), out.size() * sizeof(T));
  return out;
}

}  // namespace qs::test
