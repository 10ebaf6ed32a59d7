// The interpreter's own promises, checked with tiny stand-in kernels so a
// bug in a real kernel can't hide (or fake) one here: planning order,
// memory reuse without clobbering, observers, dynamic shapes, constant
// folding, control flow, variables, and errors that name the op or input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <random>

#include "format/op_options.h"
#include "runtime/batch_runner.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"
#include "runtime/memory_plan.h"
#include "support/model_builder.h"
#include "support/op_test.h"

namespace qs::runtime {
namespace {

using format::BuiltinOp;
using format::TensorType;
using test::host_tensor;
using test::HostTensor;
using test::OpTest;

// out = a + b, elementwise, same shape or b scalar; float32 or int32.
template <class T>
void add_values(const Tensor& a, const Tensor& b, Tensor& out) {
  auto x = a.values<T>();
  auto y = b.values<T>();
  auto z = out.mutable_values<T>();
  for (size_t i = 0; i < z.size(); ++i) z[i] = x[i] + y[y.size() == 1 ? 0 : i];
}

KernelFactory fake_add(int* prepares = nullptr) {
  return make_kernel(
      [prepares](OpContext& ctx) -> Status {
        if (prepares != nullptr) ++*prepares;
        ctx.set_output_shape(0, ctx.input(0)->shape);
        return {};
      },
      [](OpContext& ctx) -> Status {
        if (ctx.input(0)->type == TensorType::INT32) {
          add_values<int32_t>(*ctx.input(0), *ctx.input(1), ctx.output(0));
        } else {
          add_values<float>(*ctx.input(0), *ctx.input(1), ctx.output(0));
        }
        return {};
      });
}

// out = (a < b) for int32 scalars.
KernelFactory fake_less() {
  return make_kernel(
      [](OpContext& ctx) -> Status {
        ctx.set_output_shape(0, {});
        return {};
      },
      [](OpContext& ctx) -> Status {
        ctx.output(0).mutable_values<uint8_t>()[0] =
            ctx.input(0)->values<int32_t>()[0] < ctx.input(1)->values<int32_t>()[0];
        return {};
      });
}

// Output shape = the int32 values of input 1 (known only at run time when
// input 1 is computed); data copied from input 0.
KernelFactory fake_reshape() {
  return make_kernel(
      [](OpContext& ctx) -> Status {
        if (!ctx.values_known(*ctx.input(1))) {
          ctx.mark_output_dynamic(0);
          return {};
        }
        auto dims = ctx.input(1)->values<int32_t>();
        ctx.set_output_shape(0, Shape(dims.begin(), dims.end()));
        return {};
      },
      [](OpContext& ctx) -> Status {
        std::memcpy(ctx.output(0).data, ctx.input(0)->data, ctx.output(0).bytes);
        return {};
      });
}

KernelRegistry fake_registry(int* add_prepares = nullptr) {
  KernelRegistry r;
  r.add(BuiltinOp::ADD, Domain::kPlain, fake_add(add_prepares));
  r.add(BuiltinOp::LESS, Domain::kPlain, fake_less());
  r.add(BuiltinOp::RESHAPE, Domain::kPlain, fake_reshape());
  kernels::register_control_flow(r);
  return r;
}

struct Recorder final : Observer {
  std::vector<int> ops;
  std::vector<std::vector<float>> first_output;
  std::vector<int> input_events;
  void on_inputs(int subgraph, std::span<const Tensor* const>) override { input_events.push_back(subgraph); }
  void on_op(const OpEvent& e) override {
    ops.push_back(e.subgraph * 1000 + e.op_index);
    const Tensor& t = *e.outputs[0];
    if (t.type == TensorType::FLOAT32) {
      auto v = t.values<float>();
      first_output.emplace_back(v.begin(), v.end());
    }
  }
};

Result<std::vector<HostTensor>> run(std::shared_ptr<format::Model> model,
                                    const std::vector<HostTensor>& inputs, const KernelRegistry& registry,
                                    Observer* observer = nullptr) {
  InterpreterOptions options;
  options.registry = &registry;
  auto interp = Interpreter::create(std::move(model), options);
  if (!interp) return tl::unexpected(interp.error());
  return test::run_once(**interp, inputs, observer);
}

TEST(MemoryPlan, TensorsAliveTogetherNeverOverlapAndDeadOnesAreReused) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<Lifetime> lifetimes;
    for (int i = 0; i < 40; ++i) {
      const int first = static_cast<int>(rng() % 30);
      lifetimes.push_back({first, first + static_cast<int>(rng() % 5), 1 + rng() % 5000});
    }
    const MemoryPlan plan = plan_memory(lifetimes, 64);
    size_t total = 0;
    for (size_t a = 0; a < lifetimes.size(); ++a) {
      total += (lifetimes[a].bytes + 63) / 64 * 64;
      EXPECT_EQ(plan.offsets[a] % 64, 0u);
      EXPECT_LE(plan.offsets[a] + lifetimes[a].bytes, plan.arena_bytes);
      for (size_t b = a + 1; b < lifetimes.size(); ++b) {
        const bool alive_together =
            lifetimes[a].first <= lifetimes[b].last && lifetimes[b].first <= lifetimes[a].last;
        const bool overlap = plan.offsets[a] < plan.offsets[b] + lifetimes[b].bytes &&
                             plan.offsets[b] < plan.offsets[a] + lifetimes[a].bytes;
        EXPECT_FALSE(alive_together && overlap) << "round " << round << " tensors " << a << "," << b;
      }
    }
    EXPECT_LT(plan.arena_bytes, total) << "no reuse at all in round " << round;
  }
}

// x -> a = x+1 -> b = a+1 -> ... a chain of 12 adds, with a skip: the
// last op adds the first intermediate again, so that intermediate must
// survive while the arena recycles everything else.
std::shared_ptr<format::Model> chain_with_skip(int length) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {64});
  const int one = t.constant<float>("one", {}, {1.0f});
  int prev = x;
  int first = -1;
  for (int i = 0; i < length; ++i) {
    const int out = t.output("t" + std::to_string(i), TensorType::FLOAT32, {64}, true);
    t.op(BuiltinOp::ADD, {prev, one}, {out});
    if (first < 0) first = out;
    prev = out;
  }
  const int y = t.output("y", TensorType::FLOAT32, {64});
  t.op(BuiltinOp::ADD, {prev, first}, {y});
  return std::make_shared<format::Model>(t.model());
}

TEST(Interpreter, ChainWithSkipEdgeComputesTheRightValuesAndObserverSeesEveryOp) {
  const KernelRegistry registry = fake_registry();
  std::vector<float> x(64);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  Recorder recorder;
  auto out = run(chain_with_skip(12), {host_tensor<float>({64}, x)}, registry, &recorder);
  ASSERT_TRUE(out) << out.error().message;
  // y = (x + 12) + (x + 1)
  auto y = out->at(0).values<float>();
  for (size_t i = 0; i < y.size(); ++i) EXPECT_EQ(y[i], 2.0f * x[i] + 13.0f) << i;
  ASSERT_EQ(recorder.ops.size(), 13u);
  for (int i = 0; i < 13; ++i) EXPECT_EQ(recorder.ops[static_cast<size_t>(i)], i);
  // The observer saw op k's output while it was valid: x + k + 1.
  for (size_t k = 0; k < 12; ++k)
    EXPECT_EQ(recorder.first_output[k][5], 5.0f + static_cast<float>(k + 1)) << k;
  EXPECT_EQ(recorder.input_events, std::vector<int>{0});
}

TEST(Interpreter, UnsupportedOpIsReportedByIndexAndNameBeforeAnythingRuns) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {2});
  const int a = t.output("a", TensorType::FLOAT32, {2}, true);
  const int y = t.output("y", TensorType::FLOAT32, {2});
  t.op(BuiltinOp::ADD, {x, x}, {a});
  t.op(BuiltinOp::CUSTOM, {a}, {y});
  t.subgraph().operators.back().code.custom_code = "MyPostProcess";
  const KernelRegistry registry = fake_registry();
  InterpreterOptions options;
  options.registry = &registry;
  auto interp = Interpreter::create(std::make_shared<format::Model>(t.model()), options);
  ASSERT_FALSE(interp);
  EXPECT_NE(interp.error().message.find("op #1 CUSTOM 'MyPostProcess' is not supported"), std::string::npos)
      << interp.error().message;

  OpTest u;
  const int ux = u.input("x", TensorType::FLOAT32, {2});
  const int uy = u.output("y", TensorType::FLOAT32, {2});
  u.op(BuiltinOp::TANH, {ux}, {uy});
  interp = Interpreter::create(std::make_shared<format::Model>(u.model()), options);
  ASSERT_FALSE(interp);
  EXPECT_NE(interp.error().message.find("op #0 TANH is not supported"), std::string::npos)
      << interp.error().message;
}

TEST(Interpreter, ShapeComputedAtRunTimeMakesDownstreamOpsDynamic) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {6});
  const int dims = t.input("dims", TensorType::INT32, {2});
  const int zero = t.constant<int32_t>("zero", {}, {0});
  const int dims2 = t.output("dims2", TensorType::INT32, {2}, true);
  const int r = t.output("r", TensorType::FLOAT32, {-1, -1}, true);
  const int y = t.output("y", TensorType::FLOAT32);
  t.op(BuiltinOp::ADD, {dims, zero}, {dims2});  // computed, so unknown while planning
  t.op(BuiltinOp::RESHAPE, {x, dims2}, {r});
  t.op(BuiltinOp::ADD, {r, r}, {y});
  const KernelRegistry registry = fake_registry();
  auto out = run(std::make_shared<format::Model>(t.model()),
                 {host_tensor<float>({6}, {1, 2, 3, 4, 5, 6}), host_tensor<int32_t>({2}, {3, 2})}, registry);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at(0).shape, (Shape{3, 2}));
  EXPECT_EQ(out->at(0).values<float>(), (std::vector<float>{2, 4, 6, 8, 10, 12}));
}

TEST(Interpreter, OpsOnConstantsAreFoldedOnceWhilePlanning) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {3});
  const int c1 = t.constant<float>("c1", {3}, {1, 2, 3});
  const int c2 = t.constant<float>("c2", {3}, {10, 20, 30});
  const int w = t.output("w", TensorType::FLOAT32, {3}, true);
  const int y = t.output("y", TensorType::FLOAT32, {3});
  t.op(BuiltinOp::ADD, {c1, c2}, {w});  // weights made by the graph
  t.op(BuiltinOp::ADD, {x, w}, {y});
  int prepares = 0;
  const KernelRegistry registry = fake_registry(&prepares);
  InterpreterOptions options;
  options.registry = &registry;
  auto interp = Interpreter::create(std::make_shared<format::Model>(t.model()), options);
  ASSERT_TRUE(interp) << interp.error().message;
  Recorder recorder;
  for (int run_index = 0; run_index < 2; ++run_index) {
    auto out = test::run_once(**interp, {host_tensor<float>({3}, {1, 1, 1})}, &recorder);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->at(0).values<float>(), (std::vector<float>{12, 23, 34}));
  }
  EXPECT_EQ(recorder.ops, (std::vector<int>{1, 1}))
      << "the folded op must not run (or be reported) per sample";
  EXPECT_EQ(prepares, 2) << "each op prepared once while planning";
}

TEST(Interpreter, DynamicBatchInputIsResizedAndOtherDimensionsAreChecked) {
  OpTest t;
  const int x = t.input("x", TensorType::FLOAT32, {1, 2}, {-1, 2});
  const int y = t.output("y", TensorType::FLOAT32, {1, 2});
  t.op(BuiltinOp::ADD, {x, x}, {y});
  const KernelRegistry registry = fake_registry();
  InterpreterOptions options;
  options.registry = &registry;
  auto interp = Interpreter::create(std::make_shared<format::Model>(t.model()), options);
  ASSERT_TRUE(interp);
  auto out = test::run_once(**interp, {host_tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at(0).shape, (Shape{3, 2}));
  EXPECT_EQ(out->at(0).values<float>(), (std::vector<float>{2, 4, 6, 8, 10, 12}));

  auto bad = (*interp)->resize_input(0, {3, 3});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("input 'x'"), std::string::npos) << bad.error().message;
  auto wrong_size = (*interp)->set_input(0, std::vector<std::byte>(5));
  ASSERT_FALSE(wrong_size);
  EXPECT_NE(wrong_size.error().message.find("input 'x'"), std::string::npos) << wrong_size.error().message;
}

TEST(Interpreter, WhileLoopRunsItsBodyUntilTheConditionFails) {
  auto model = std::make_shared<format::Model>(test::while_model());
  const KernelRegistry registry = fake_registry();
  Recorder recorder;
  auto out = run(model, {host_tensor<int32_t>({}, {3})}, registry, &recorder);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->at(0).values<int32_t>(), std::vector<int32_t>{10});
  // 7 body runs (3..9), 8 condition checks, then the WHILE op itself.
  EXPECT_EQ(std::count(recorder.ops.begin(), recorder.ops.end(), 2000), 7);
  EXPECT_EQ(std::count(recorder.ops.begin(), recorder.ops.end(), 1000), 8);
  EXPECT_EQ(recorder.ops.back(), 0);
}

TEST(Interpreter, IfRunsTheChosenBranch) {
  // if_model's branches are RELU and NEG: give this registry stand-ins.
  KernelRegistry registry = fake_registry();
  auto unary = [](float (*fn)(float)) {
    return make_kernel(
        [](OpContext& ctx) -> Status {
          ctx.set_output_shape(0, ctx.input(0)->shape);
          return {};
        },
        [fn](OpContext& ctx) -> Status {
          auto in = ctx.input(0)->values<float>();
          auto out = ctx.output(0).mutable_values<float>();
          for (size_t i = 0; i < in.size(); ++i) out[i] = fn(in[i]);
          return {};
        });
  };
  registry.add(BuiltinOp::RELU, Domain::kPlain, unary([](float v) { return v > 0 ? v : 0.0f; }));
  registry.add(BuiltinOp::NEG, Domain::kPlain, unary([](float v) { return -v; }));
  auto model = std::make_shared<format::Model>(test::if_model());
  const std::vector<float> x{-1, 2, -3, 4};
  auto then_out = run(model, {host_tensor<bool>({}, {true}), host_tensor<float>({4}, x)}, registry);
  ASSERT_TRUE(then_out) << then_out.error().message;
  EXPECT_EQ(then_out->at(0).values<float>(), (std::vector<float>{0, 2, 0, 4}));
  auto else_out = run(model, {host_tensor<bool>({}, {false}), host_tensor<float>({4}, x)}, registry);
  ASSERT_TRUE(else_out) << else_out.error().message;
  EXPECT_EQ(else_out->at(0).values<float>(), (std::vector<float>{1, -2, 3, -4}));
}

TEST(Interpreter, ResourceVariablesKeepTheirValueAcrossInvokes) {
  // x -> VAR_HANDLE v; READ v -> old; ADD(old, x) -> new; ASSIGN v := new;
  // output old. The variable is initialised by CALL_ONCE running subgraph 1,
  // which assigns the constant 100.
  OpTest t;
  format::Model& m = t.model();
  const int x = t.input("x", TensorType::FLOAT32, {1});
  const int handle = t.output("handle", TensorType::RESOURCE, {}, true);
  const int old = t.output("old", TensorType::FLOAT32, {1});
  const int sum = t.output("sum", TensorType::FLOAT32, {1}, true);
  tfl::VarHandleOptionsT var;
  var.shared_name = "acc";
  tfl::CallOnceOptionsT once;
  once.init_subgraph_index = 1;
  t.op(BuiltinOp::CALL_ONCE, {}, {}, format::make_options(once));
  t.op(BuiltinOp::VAR_HANDLE, {}, {handle}, format::make_options(var));
  t.op(BuiltinOp::READ_VARIABLE, {handle}, {old});
  t.op(BuiltinOp::ADD, {old, x}, {sum});
  t.op(BuiltinOp::ASSIGN_VARIABLE, {handle, sum}, {});
  m.subgraphs.emplace_back();
  format::Subgraph& init = m.subgraphs[1];
  const int h = test::add_tensor(init, "handle", TensorType::RESOURCE, {});
  const int hundred =
      test::add_constant(m, init, "hundred", TensorType::FLOAT32, {1},
                         format::Bytes::copy_of(test::host_tensor<float>({}, {100.0f}).values<uint8_t>()));
  test::add_op(init, BuiltinOp::VAR_HANDLE, {}, {h}, format::make_options(var));
  test::add_op(init, BuiltinOp::ASSIGN_VARIABLE, {h, hundred}, {});
  const KernelRegistry registry = fake_registry();
  InterpreterOptions options;
  options.registry = &registry;
  auto interp = Interpreter::create(std::make_shared<format::Model>(m), options);
  ASSERT_TRUE(interp) << interp.error().message;
  std::vector<float> seen;
  for (float step : {1.0f, 2.0f, 3.0f}) {
    auto out = test::run_once(**interp, {host_tensor<float>({1}, {step})});
    ASSERT_TRUE(out) << out.error().message;
    seen.push_back(out->at(0).values<float>()[0]);
  }
  EXPECT_EQ(seen, (std::vector<float>{100, 101, 103}));
}

}  // namespace
}  // namespace qs::runtime

namespace qs::runtime {
namespace {

std::shared_ptr<format::Model> doubling_model() {
  test::OpTest t;
  const int x = t.input("x", format::TensorType::FLOAT32, {4});
  const int y = t.output("y", format::TensorType::FLOAT32, {4});
  t.op(format::BuiltinOp::ADD, {x, x}, {y});
  return std::make_shared<format::Model>(t.model());
}

// The doubling model on two workers, with the stand-in kernels.
struct TwoWorkers {
  KernelRegistry registry = fake_registry();
  std::unique_ptr<BatchRunner> runner;
  std::string error;
  TwoWorkers() {
    BatchOptions options;
    options.workers = 2;
    options.interpreter.registry = &registry;
    auto created = BatchRunner::create(doubling_model(), options);
    if (created) {
      runner = std::move(*created);
    } else {
      error = created.error().message;
    }
  }
};

TEST(BatchRunner, EverySampleRunsOnceAcrossWorkersWithItsOwnResult) {
  TwoWorkers two;
  auto& runner = two.runner;
  ASSERT_TRUE(runner) << two.error;
  ASSERT_EQ(runner->workers(), 2);
  constexpr size_t kSamples = 200;
  std::vector<float> results(kSamples, -1.0f);
  std::atomic<size_t> last_progress{0};
  BatchCallbacks callbacks;
  callbacks.fill = [](size_t sample, Interpreter& interp) {
    const float v = static_cast<float>(sample);
    const std::vector<float> x{v, v, v, v};
    return interp.set_input(0, std::as_bytes(std::span(x)));
  };
  callbacks.take = [&](size_t sample, const Interpreter& interp) -> Status {
    results[sample] = interp.output(0).values<float>()[3];
    return {};
  };
  callbacks.progress = [&](size_t done) { last_progress = std::max(last_progress.load(), done); };
  ASSERT_TRUE(runner->run(kSamples, callbacks));
  for (size_t i = 0; i < kSamples; ++i) EXPECT_EQ(results[i], 2.0f * static_cast<float>(i)) << i;
  EXPECT_EQ(last_progress.load(), kSamples);
}

TEST(BatchRunner, AFailingSampleStopsTheRunAndIsNamed) {
  TwoWorkers two;
  auto& runner = two.runner;
  ASSERT_TRUE(runner);
  std::atomic<size_t> ran{0};
  BatchCallbacks callbacks;
  callbacks.fill = [&](size_t sample, Interpreter& interp) -> Status {
    ++ran;
    if (sample == 7) return fail("bad file sample7.npy");
    const std::vector<float> x(4, 1.0f);
    return interp.set_input(0, std::as_bytes(std::span(x)));
  };
  auto s = runner->run(1000, callbacks);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("sample 7"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("sample7.npy"), std::string::npos) << s.error().message;
  EXPECT_LT(ran.load(), 1000u);
}

TEST(BatchRunner, SkippedFillErrorsLetTheRunFinishWithoutInvoking) {
  TwoWorkers two;
  auto& runner = two.runner;
  ASSERT_TRUE(runner);
  std::mutex mutex;
  std::vector<size_t> skipped;
  std::atomic<size_t> taken{0};
  std::atomic<size_t> last_progress{0};
  BatchCallbacks callbacks;
  callbacks.fill = [&](size_t sample, Interpreter& interp) -> Status {
    if (sample % 10 == 3) return fail(cat("bad file sample", sample, ".png"));
    const std::vector<float> x(4, 1.0f);
    return interp.set_input(0, std::as_bytes(std::span(x)));
  };
  callbacks.skip_on_fill_error = [&](size_t sample, const Error& e) {
    std::lock_guard lock(mutex);
    EXPECT_NE(e.message.find(cat("sample", sample, ".png")), std::string::npos) << e.message;
    skipped.push_back(sample);
    return true;
  };
  callbacks.take = [&](size_t, const Interpreter&) -> Status {
    ++taken;
    return {};
  };
  callbacks.progress = [&](size_t done) {
    size_t seen = last_progress.load();
    while (done > seen && !last_progress.compare_exchange_weak(seen, done)) {
    }
  };
  ASSERT_TRUE(runner->run(100, callbacks));
  std::sort(skipped.begin(), skipped.end());
  EXPECT_EQ(skipped, (std::vector<size_t>{3, 13, 23, 33, 43, 53, 63, 73, 83, 93}));
  EXPECT_EQ(taken.load(), 90u);  // skipped samples are never invoked
  EXPECT_EQ(last_progress.load(), 100u);
}

TEST(BatchRunner, CancelStopsEarly) {
  TwoWorkers two;
  auto& runner = two.runner;
  ASSERT_TRUE(runner);
  std::atomic<bool> cancel{false};
  std::atomic<size_t> ran{0};
  BatchCallbacks callbacks;
  callbacks.cancel = &cancel;
  callbacks.fill = [&](size_t, Interpreter& interp) -> Status {
    if (++ran == 10) cancel = true;
    const std::vector<float> x(4, 1.0f);
    return interp.set_input(0, std::as_bytes(std::span(x)));
  };
  auto s = runner->run(100000, callbacks);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "cancelled");
  EXPECT_LT(ran.load(), 100u);
}

}  // namespace
}  // namespace qs::runtime
