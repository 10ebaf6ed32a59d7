#pragma once
// Safe copies out of a verified FlatBuffer, shared by the readers.

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "flatbuffers/flatbuffers.h"

namespace qs::format {

// Copies bytewise: the FlatBuffers 2.x verifier checks a vector's length
// prefix alignment but not its elements' (google/flatbuffers#8397), so the
// int64 elements of a verified but corrupt file can be misaligned, and a
// typed load of them would be undefined behaviour. FlatBuffers data is
// little-endian, like every machine we build for.
template <class T>
std::vector<T> to_vector(const flatbuffers::Vector<T>* v) {
  static_assert(std::is_arithmetic_v<T> && FLATBUFFERS_LITTLEENDIAN);
  if (v == nullptr) return {};
  std::vector<T> out(v->size());
  if (!out.empty()) std::memcpy(out.data(), v->Data(), out.size() * sizeof(T));
  return out;
}

inline std::string to_string(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

}  // namespace qs::format
