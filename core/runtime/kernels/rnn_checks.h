#pragma once
// Checks shared by the recurrent ops' prepare steps (LSTM, RNN and SVDF
// families). Every message names the op input by position and role and the
// tensor by index and name, e.g.
//   op #3 LSTM: input 2 (input-to-forget weights), tensor 7 'lstm/w_f', has
//   shape [4,3], expected [4,2]
// Include only from kernel .cpp files.

#include <initializer_list>
#include <string>
#include <string_view>

#include "runtime/kernels/kernel_util.h"

namespace qs::runtime::kernels::recurrent {

// "input 2 (input-to-forget weights)"
std::string input_label(int position, std::string_view role);

// Fails unless the op has one of the allowed numbers of inputs / exactly
// `count` outputs.
Status expect_input_count(const OpContext& ctx, std::initializer_list<int> allowed);
Status expect_output_count(const OpContext& ctx, int count);

// Fails unless `t` is FLOAT32; integer weights get a message saying that
// hybrid kernels (integer weights, float activations) are not supported.
Status expect_float(const OpContext& ctx, int position, std::string_view role, const Tensor& t);

// Fails unless `t` is FLOAT32 with exactly the shape `dims`.
Status expect_float_shape(const OpContext& ctx, int position, std::string_view role, const Tensor& t,
                          std::initializer_list<int32_t> dims);

// Input `position`, which must be present and FLOAT32 of rank `rank`.
Result<const Tensor*> float_input_of_rank(const OpContext& ctx, int position, std::string_view role,
                                          int rank);

// Input `position` if present (checked as by expect_float_shape), else null.
Result<const Tensor*> optional_float_input(const OpContext& ctx, int position, std::string_view role,
                                           std::initializer_list<int32_t> dims);
// Input `position`, which must be present (checked as by expect_float_shape).
Result<const Tensor*> required_float_input(const OpContext& ctx, int position, std::string_view role,
                                           std::initializer_list<int32_t> dims);

// The variable (state) input `position`: present, a variable tensor, FLOAT32
// and holding `elements` values (its exact shape does not matter, as in
// TFLite).
Result<Tensor*> float_state_input(const OpContext& ctx, int position, std::string_view role,
                                  int64_t elements);

// The same, for ops whose state must have exactly the shape `dims` (RNN and
// SVDF check it in TFLite).
Result<Tensor*> float_state_input(const OpContext& ctx, int position, std::string_view role,
                                  std::initializer_list<int32_t> dims);

// Fails for fused activation values outside the schema's enum.
Status expect_known_activation(const OpContext& ctx, tfl::ActivationFunctionType fn);

// Fails unless output `i` is FLOAT32.
Status expect_float_output(const OpContext& ctx, int i);

inline const float* float_data(const Tensor* t) {
  return t != nullptr ? reinterpret_cast<const float*>(t->data) : nullptr;
}
inline float* mutable_float_data(Tensor* t) { return reinterpret_cast<float*>(t->data); }

}  // namespace qs::runtime::kernels::recurrent
