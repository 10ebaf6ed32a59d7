#pragma once
// Helpers shared by the kernel suites (tests/core/test_kernels_*.cpp): one
// op run in isolation, deterministic random data, and the usual checks on
// what came out.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/model.h"
#include "runtime/kernel_registry.h"
#include "support/op_test.h"

namespace qs::test {

// Most kernels come in both flavours, and the two must agree.
inline constexpr runtime::Flavor kBothFlavors[] = {runtime::Flavor::kFast, runtime::Flavor::kReference};
const char* flavor_name(runtime::Flavor flavor);

// `n` values uniform in [lo, hi), the same for the same seed on every machine
// that uses libstdc++'s mt19937 (the distribution is not portable across
// standard libraries, which is fine for tests built with one).
std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

size_t element_count(const runtime::Shape& shape);

// The bytes of int8 values, for constant_bytes() (int8 weights of hybrid ops).
std::vector<std::byte> int8_bytes(const std::vector<int8_t>& values);

// Runs `op` with every input fed at run time and returns its one output.
Result<HostTensor> run_single_op(format::BuiltinOp op, const std::vector<HostTensor>& inputs,
                                 format::TensorType out_type = format::TensorType::FLOAT32,
                                 format::OpOptions options = {}, runtime::Flavor flavor = runtime::Flavor::kFast);

// The values of a result that must exist, its shape checked.
template <class T>
std::vector<T> values_of(const Result<HostTensor>& r, const runtime::Shape& shape) {
  EXPECT_TRUE(r.has_value()) << r.error().message;
  if (!r) return {};
  EXPECT_EQ(r->shape, shape);
  return r->values<T>();
}

// Output 0 of a run that must have succeeded, its shape checked.
std::vector<float> output_of(const Result<std::vector<HostTensor>>& r, const runtime::Shape& shape);

// The run failed with a message naming `op` and containing `fragment`.
template <class T>
void expect_error(const Result<T>& r, const std::string& op, const std::string& fragment) {
  ASSERT_FALSE(r.has_value()) << "expected an error from " << op;
  EXPECT_NE(r.error().message.find(op), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

// |got − want| ≤ tolerance × max(1, max |want|): sums taken in another order
// differ by rounding that grows with the magnitudes involved.
void expect_close(const std::vector<float>& got, const std::vector<float>& want, float tolerance = 1e-5f);

// |got − want| ≤ tolerance, element by element; `what` prefixes failures.
void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, float tolerance,
                     const std::string& what = "");

// Exactly this shape and these values (an empty `values` means no bytes at all).
template <class T>
void expect_tensor(const HostTensor& h, const runtime::Shape& shape, const std::vector<T>& values) {
  EXPECT_EQ(h.shape, shape);
  if (values.empty()) {
    EXPECT_TRUE(h.bytes.empty());
    return;
  }
  EXPECT_EQ(h.values<T>(), values);
}

}  // namespace qs::test
