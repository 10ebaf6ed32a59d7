#include "support/kernel_checks.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace qs::test {

const char* flavor_name(runtime::Flavor flavor) { return flavor == runtime::Flavor::kFast ? "fast" : "reference"; }

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

size_t element_count(const runtime::Shape& shape) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

std::vector<std::byte> int8_bytes(const std::vector<int8_t>& values) {
  return host_tensor<int8_t>({}, values).bytes;
}

Result<HostTensor> run_single_op(format::BuiltinOp op, const std::vector<HostTensor>& inputs,
                                 format::TensorType out_type, format::OpOptions options, runtime::Flavor flavor) {
  OpTest t;
  std::vector<int32_t> ids;
  for (size_t i = 0; i < inputs.size(); ++i) ids.push_back(t.input(cat("in", i), inputs[i].type, inputs[i].shape));
  const int out = t.output("out", out_type);
  t.op(op, ids, {out}, std::move(options));
  auto result = t.run(inputs, flavor);
  if (!result) return tl::unexpected(result.error());
  return std::move(result->at(0));
}

std::vector<float> output_of(const Result<std::vector<HostTensor>>& r, const runtime::Shape& shape) {
  EXPECT_TRUE(r.has_value()) << r.error().message;
  if (!r) return {};
  EXPECT_EQ(r->at(0).shape, shape);
  return r->at(0).values<float>();
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, float tolerance) {
  ASSERT_EQ(got.size(), want.size());
  float scale = 1.0f;
  for (float w : want) scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tolerance * scale) << "element " << i;
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, float tolerance,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance) << what << " element " << i;
}

}  // namespace qs::test
