#pragma once
// Decoded access to an operator's builtin options, for code that executes or
// rewrites ops. Pulls in the full generated schema: include it only where
// options are needed.

#include "format/model.h"
#include "qs/tfl/tflite_generated.h"

namespace qs::format {

// The options of `op` as `T` (e.g. tfl::Conv2DOptionsT), or null when the op
// carries options of another kind or none.
template <class T>
const T* options_as(const Operator& op) {
  if (const auto* u = op.options.first();
      u != nullptr && u->type != tfl::BuiltinOptions::NONE &&
      u->type == tfl::BuiltinOptionsUnionTraits<T>::enum_value) {
    return static_cast<const T*>(u->value);
  }
  if (const auto* u = op.options.second();
      u != nullptr && u->type != tfl::BuiltinOptions2::NONE &&
      u->type == tfl::BuiltinOptions2UnionTraits<T>::enum_value) {
    return static_cast<const T*>(u->value);
  }
  return nullptr;
}

// Builds an OpOptions holding `value` in whichever union knows `T`.
template <class T>
OpOptions make_options(T value) {
  if constexpr (tfl::BuiltinOptionsUnionTraits<T>::enum_value != tfl::BuiltinOptions::NONE) {
    auto u = std::make_shared<tfl::BuiltinOptionsUnion>();
    u->Set(std::move(value));
    return OpOptions(std::move(u), nullptr);
  } else {
    auto u = std::make_shared<tfl::BuiltinOptions2Union>();
    u->Set(std::move(value));
    return OpOptions(nullptr, std::move(u));
  }
}

}  // namespace qs::format
