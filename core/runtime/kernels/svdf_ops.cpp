#include "runtime/kernels/svdf_ops.h"

#include <Eigen/Core>
#include <algorithm>
#include <memory>
#include <vector>

#include "runtime/kernels/rnn_checks.h"
#include "runtime/kernels/rnn_math.h"

// SVDF is a fully connected layer factored into a feature projection and a
// filter over time (https://research.google.com/pubs/archive/43813.pdf). The
// state keeps the last memory_size feature activations of every filter,
// state[b][f][0..M-1], oldest first. One run:
//   1. every filter's memory moves left by one (the oldest value drops out)
//   2. state[b][f][M-1] = Σ_i weights_feature[f][i] · input[b][i]
//   3. filtered[b][f]   = Σ_m state[b][f][m] · weights_time[f][m]
//   4. output[b][u]     = act(bias[u] + Σ_{r<rank} filtered[b][u·rank + r])
// as in TFLite's reference_ops::EvalFloatSVDF, which shifts before writing
// the new activation: after a run the state ends with the newest values.

namespace qs::runtime::kernels {
namespace {

constexpr int kInputTensor = 0;
constexpr int kWeightsFeatureTensor = 1;
constexpr int kWeightsTimeTensor = 2;
constexpr int kBiasTensor = 3;
constexpr int kStateTensor = 4;

using recurrent::float_data;
using recurrent::mutable_float_data;

struct SvdfSizes {
  int batch = 0;
  int input_size = 0;
  int num_filters = 0;
  int num_units = 0;
  int memory_size = 0;
  int rank = 1;
};

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// filtered[b][f] = Σ_m state[b][f][m] · weights_time[f][m]
void filter_over_time(const SvdfSizes& n, const float* state, const float* weights_time, float* filtered,
                      bool plain) {
  if (plain) {
    for (int b = 0; b < n.batch; ++b) {
      for (int f = 0; f < n.num_filters; ++f) {
        const float* memory = state + (static_cast<int64_t>(b) * n.num_filters + f) * n.memory_size;
        const float* weights = weights_time + static_cast<int64_t>(f) * n.memory_size;
        float sum = 0.0f;
        for (int m = 0; m < n.memory_size; ++m) sum += memory[m] * weights[m];
        filtered[static_cast<int64_t>(b) * n.num_filters + f] = sum;
      }
    }
    return;
  }
  const Eigen::Map<const RowMajorMatrix> weights(weights_time, n.num_filters, n.memory_size);
  for (int b = 0; b < n.batch; ++b) {
    const int64_t first = static_cast<int64_t>(b) * n.num_filters;
    const Eigen::Map<const RowMajorMatrix> memory(state + first * n.memory_size, n.num_filters,
                                                  n.memory_size);
    Eigen::Map<Eigen::VectorXf> out(filtered + first, n.num_filters);
    out = memory.cwiseProduct(weights).rowwise().sum();
  }
}

class SvdfKernel final : public Kernel {
 public:
  explicit SvdfKernel(bool plain) : plain_(plain) {}

  Status prepare(OpContext& ctx) override {
    const auto& o = options_or_default<tfl::SVDFOptionsT>(ctx);
    if (auto s = recurrent::expect_input_count(ctx, {5}); !s) return s;
    if (auto s = recurrent::expect_output_count(ctx, 1); !s) return s;
    if (auto s = recurrent::expect_float_output(ctx, 0); !s) return s;
    if (auto s = recurrent::expect_known_activation(ctx, o.fused_activation_function); !s) return s;
    activation_ = o.fused_activation_function;
    auto input = recurrent::float_input_of_rank(ctx, kInputTensor, "input", 2);
    if (!input) return tl::unexpected(input.error());
    auto feature = recurrent::float_input_of_rank(ctx, kWeightsFeatureTensor, "feature weights", 2);
    if (!feature) return tl::unexpected(feature.error());
    auto time = recurrent::float_input_of_rank(ctx, kWeightsTimeTensor, "time weights", 2);
    if (!time) return tl::unexpected(time.error());

    SvdfSizes n;
    n.batch = (*input)->dim(0);
    n.input_size = (*input)->dim(1);
    n.num_filters = (*feature)->dim(0);
    n.memory_size = (*time)->dim(1);
    n.rank = o.rank;
    if (n.rank <= 0 || n.num_filters % n.rank != 0) {
      return ctx.error(cat("rank ", o.rank, " must be positive and divide the number of filters (",
                           n.num_filters, ", the first dimension of the feature weights)"));
    }
    n.num_units = n.num_filters / n.rank;
    if (auto s = recurrent::expect_float_shape(ctx, kWeightsFeatureTensor, "feature weights", **feature,
                                               {n.num_filters, n.input_size});
        !s) {
      return s;
    }
    if (n.memory_size < 1) return ctx.error("the time weights hold no memory (their second dimension is 0)");
    if (auto s = recurrent::expect_float_shape(ctx, kWeightsTimeTensor, "time weights", **time,
                                               {n.num_filters, n.memory_size});
        !s) {
      return s;
    }
    if (auto bias = recurrent::optional_float_input(ctx, kBiasTensor, "bias", {n.num_units}); !bias) {
      return tl::unexpected(bias.error());
    }
    if (auto state = recurrent::float_state_input(ctx, kStateTensor, "state",
                                                  {n.batch, n.memory_size * n.num_filters});
        !state) {
      return tl::unexpected(state.error());
    }
    sizes_ = n;
    ctx.set_output_shape(0, {n.batch, n.num_units});
    return {};
  }

  Status eval(OpContext& ctx) override {
    const SvdfSizes& n = sizes_;
    float* state = mutable_float_data(ctx.state_input(kStateTensor));
    const int64_t state_size = static_cast<int64_t>(n.batch) * n.num_filters * n.memory_size;
    // Moving the whole buffer left also carries each filter's oldest value
    // into the previous filter's newest slot, which step 2 overwrites.
    if (state_size > 0) std::copy(state + 1, state + state_size, state);

    features_.assign(static_cast<size_t>(n.batch) * static_cast<size_t>(n.num_filters), 0.0f);
    recurrent::accumulate_product(float_data(ctx.input(kWeightsFeatureTensor)), n.num_filters, n.input_size,
                                  {float_data(ctx.input(kInputTensor)), n.batch, n.input_size},
                                  features_.data(), plain_);
    for (int64_t row = 0; row < static_cast<int64_t>(n.batch) * n.num_filters; ++row) {
      state[row * n.memory_size + n.memory_size - 1] = features_[static_cast<size_t>(row)];
    }

    filtered_.resize(features_.size());
    filter_over_time(n, state, float_data(ctx.input(kWeightsTimeTensor)), filtered_.data(), plain_);

    float* output = mutable_float_data(&ctx.output(0));
    const float* bias = float_data(ctx.input(kBiasTensor));
    for (int b = 0; b < n.batch; ++b) {
      const float* filtered = filtered_.data() + static_cast<int64_t>(b) * n.num_filters;
      float* out = output + static_cast<int64_t>(b) * n.num_units;
      for (int u = 0; u < n.num_units; ++u) {
        float sum = 0.0f;
        for (int r = 0; r < n.rank; ++r) sum += filtered[u * n.rank + r];
        out[u] = (bias != nullptr ? bias[u] : 0.0f) + sum;
      }
    }
    recurrent::apply_activation(output, static_cast<int64_t>(n.batch) * n.num_units, activation_, plain_);
    return {};
  }

 private:
  bool plain_;
  SvdfSizes sizes_;
  tfl::ActivationFunctionType activation_ = tfl::ActivationFunctionType::NONE;
  std::vector<float> features_;
  std::vector<float> filtered_;
};

}  // namespace

void register_svdf_ops(KernelRegistry& registry) {
  registry.add(format::BuiltinOp::SVDF, Domain::kPlain, Flavor::kFast,
               [] { return std::make_unique<SvdfKernel>(false); });
  registry.add(format::BuiltinOp::SVDF, Domain::kPlain, Flavor::kReference,
               [] { return std::make_unique<SvdfKernel>(true); });
}

}  // namespace qs::runtime::kernels
