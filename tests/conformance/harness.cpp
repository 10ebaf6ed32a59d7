#include "conformance/harness.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "format/model_file.h"
#include "support/corpus.h"

namespace qs::conformance {

namespace fs = std::filesystem;
using format::BuiltinOp;
using format::TensorType;

// ------------------------------------------------------------------ helpers

std::string first_line(const std::string& s, size_t max) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > max) line = line.substr(0, max) + "...";
  return line;
}

Result<std::unique_ptr<runtime::Interpreter>> open_interpreter(const fs::path& path, std::string* signature) {
  auto file = format::ModelFile::open(path);
  if (!file) return tl::unexpected(file.error());
  auto model = std::make_shared<const format::Model>(file->to_model());
  runtime::InterpreterOptions options;
  // Models with signatures run their first one in both runtimes.
  if (!model->signatures.empty()) options.signature = model->signatures.front().key;
  if (signature != nullptr) *signature = options.signature;
  return runtime::Interpreter::create(model, options);
}

Result<OutputSet> run_ours(runtime::Interpreter& interp, const Sample& sample) {
  for (int i = 0; i < interp.input_count(); ++i) {
    const io::Array& a = sample.inputs[static_cast<size_t>(i)];
    const runtime::Shape shape(a.shape.begin(), a.shape.end());
    if (interp.input(i).shape != shape) {
      if (auto s = interp.resize_input(i, shape); !s) return tl::unexpected(s.error());
    }
  }
  for (int i = 0; i < interp.input_count(); ++i) {
    if (auto s = interp.set_input(i, sample.inputs[static_cast<size_t>(i)].data); !s)
      return tl::unexpected(s.error());
  }
  if (auto s = interp.invoke(); !s) return tl::unexpected(s.error());
  OutputSet out;
  for (int o = 0; o < interp.output_count(); ++o) {
    const runtime::Tensor& t = interp.output(o);
    const auto dtype = io::from_tensor_type(t.type);
    if (!dtype) return fail(cat("output ", o, " has type ", format::type_name(t.type)));
    io::Array a;
    a.name = std::string(interp.output_name(o));
    a.dtype = *dtype;
    a.shape.assign(t.shape.begin(), t.shape.end());
    a.data.assign(t.data, t.data + t.bytes);
    out.names.push_back(a.name);
    out.arrays.push_back(std::move(a));
  }
  return out;
}

Status write_job_inputs(const fs::path& dir, const runtime::Interpreter& interp, const Sample& sample) {
  fs::create_directories(dir);
  nlohmann::json names = nlohmann::json::array();
  for (int i = 0; i < interp.input_count(); ++i) {
    if (auto s = io::write_npy(sample.inputs[static_cast<size_t>(i)], dir / cat("input_", i, ".npy")); !s)
      return s;
    names.push_back(std::string(interp.input_name(i)));
  }
  std::ofstream(dir / "names.json") << names.dump();
  return {};
}

Result<Sample> random_sample(const runtime::Interpreter& interp, const std::string& model_name) {
  Sample s;
  s.label = "random";
  for (int i = 0; i < interp.input_count(); ++i) {
    const runtime::Tensor& t = interp.input(i);
    auto a = random_array(t.type, t.shape, seed_from(cat(model_name, "#", i)));
    if (!a) return fail(cat("input '", interp.input_name(i), "': ", a.error().message));
    s.inputs.push_back(std::move(*a));
  }
  return s;
}

bool has_recurrent_op(const format::Model& model) {
  static const std::set<BuiltinOp> kRecurrent = {
      BuiltinOp::LSTM, BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOp::BIDIRECTIONAL_SEQUENCE_LSTM,
      BuiltinOp::RNN,  BuiltinOp::UNIDIRECTIONAL_SEQUENCE_RNN,  BuiltinOp::BIDIRECTIONAL_SEQUENCE_RNN,
      BuiltinOp::SVDF};
  for (const auto& sg : model.subgraphs) {
    for (const auto& op : sg.operators) {
      if (kRecurrent.count(op.code.builtin) != 0) return true;
    }
  }
  return false;
}

// True when an op takes float activations with int8/uint8 constant weights
// and no DEQUANTIZE in between (what "Optimize.DEFAULT" without data makes).
bool has_hybrid_op(const format::Model& model) {
  for (const auto& sg : model.subgraphs) {
    for (const auto& op : sg.operators) {
      if (op.inputs.empty() || op.inputs[0] < 0) continue;
      if (sg.tensors[static_cast<size_t>(op.inputs[0])].type != TensorType::FLOAT32) continue;
      for (size_t k = 1; k < op.inputs.size(); ++k) {
        if (op.inputs[k] < 0) continue;
        const format::Tensor& t = sg.tensors[static_cast<size_t>(op.inputs[k])];
        if ((t.type == TensorType::INT8 || t.type == TensorType::UINT8) && t.buffer != 0 && t.quantization &&
            t.quantization->has_scale()) {
          return true;
        }
      }
    }
  }
  return false;
}


// ------------------------------------------------------------- real inputs

fs::path data_file(const std::string& name) { return test::shared_dir() / "data" / name; }

// An image scaled to the input's [1, H, W, C] and normalised.
std::optional<io::Array> image_input(const runtime::Tensor& input, const std::string& file, float scale,
                                     float offset) {
  if (input.rank() != 4 || input.type != TensorType::FLOAT32) return std::nullopt;
  auto img = load_image(data_file(file), input.dim(3));
  if (!img) return std::nullopt;
  return image_array(resize_bilinear(*img, input.dim(2), input.dim(1)), scale, offset);
}

// Real data for the models where the shared data folder has an obvious
// match (DATA_CATALOG.tsv, column use_with_models).
std::vector<Sample> real_samples(const std::string& model, const runtime::Interpreter& interp) {
  std::vector<Sample> out;
  if (interp.input_count() != 1) return out;
  const runtime::Tensor& input = interp.input(0);
  const auto add = [&](std::string label, std::optional<io::Array> a) {
    if (!a) return;
    // Same data, the input's own shape (e.g. MNIST [1,28,28] vs [1,28,28,1]).
    if (a->elements() != input.elements() || a->dtype != io::DType::kFloat32) return;
    a->shape.assign(input.shape.begin(), input.shape.end());
    out.push_back({std::move(label), {std::move(*a)}});
  };
  if (model == "mobilenet_v1_0.25_224_1_metadata_1.tflite") {
    // The model's metadata: mean 127.5, std 127.5.
    for (const char* f : {"grace_hopper_224.jpg", "resized_cat.bmp"})
      add(f, image_input(input, f, 1 / 127.5f, -1.f));
  } else if (model == "face_detection_short_range.tflite") {
    for (const char* f : {"single_face_320_320_3.jpeg", "faces_in_snow_320_320_3.jpeg"}) {
      add(f, image_input(input, f, 1 / 127.5f, -1.f));
    }
  } else if (model == "selfie_segmentation.tflite") {
    add("person_192_192_3.jpeg", image_input(input, "person_192_192_3.jpeg", 1 / 255.f, 0.f));
  } else if (model == "conv_fc_mnist.tflite" || model == "trained_lstm.tflite") {
    for (const char* f : {"mnist_sample3.png", "mnist_sample7.png"}) {
      auto img = load_image(data_file(f), 1);
      if (img) add(f, image_array(*img, 1 / 255.f, 0.f));
    }
  } else if (model == "ad01_fp32.tflite" || model == "model_ToyCar_quant.tflite") {
    // 200 frames x 128 mel bins of float32; the model reads 5 frames.
    const auto raw = test::read_file(data_file("normal_id_01_00000000_hist_librosa.bin"));
    constexpr size_t kWindow = 5 * 128;
    for (size_t frame : {0u, 97u}) {
      const size_t begin = frame * 128 * sizeof(float);
      if (raw.size() < begin + kWindow * sizeof(float)) break;
      io::Array a;
      a.dtype = io::DType::kFloat32;
      a.shape = {1, static_cast<int64_t>(kWindow)};
      a.data.resize(kWindow * sizeof(float));
      std::memcpy(a.data.data(), raw.data() + begin, a.data.size());
      add(cat("toycar frames ", frame, "..", frame + 4), std::move(a));
    }
  } else if (model == "hello_world_float.tflite") {
    for (float x : {0.5f, 2.5f, 5.f}) {
      io::Array a;
      a.dtype = io::DType::kFloat32;
      a.shape = {1, 1};
      a.data.resize(4);
      std::memcpy(a.data.data(), &x, 4);
      add(cat("x=", x), std::move(a));
    }
  }
  return out;
}

// --------------------------------------------------------------- comparison


// Pairs our outputs with LiteRT's: by name when both sides' names are
// unique and the same set, otherwise by position.
Verdict compare_outputs(const OutputSet& ours, const LiteRtResult& theirs, double tolerance,
                        const std::string& sample) {
  Verdict v;
  if (ours.arrays.size() != theirs.outputs.size()) {
    v.kind = Verdict::Kind::kDiffer;
    v.reason = "output count";
    v.detail = cat(sample, ": ours ", ours.arrays.size(), " outputs, LiteRT ", theirs.outputs.size());
    return v;
  }
  std::vector<std::string> their_names;
  for (const auto& o : theirs.outputs) their_names.push_back(o.name);
  const std::set<std::string> a(ours.names.begin(), ours.names.end());
  const std::set<std::string> b(their_names.begin(), their_names.end());
  const bool by_name = a.size() == ours.names.size() && b.size() == their_names.size() && a == b;
  for (size_t o = 0; o < ours.arrays.size(); ++o) {
    size_t t = o;
    if (by_name)
      t = static_cast<size_t>(std::find(their_names.begin(), their_names.end(), ours.names[o]) -
                              their_names.begin());
    const auto c =
        compare_arrays(ours.arrays[o], theirs.outputs[t].array, tolerance, theirs.outputs[t].shape_known);
    v.worst = std::max(v.worst, c.error);
    if (!c.agree && v.kind == Verdict::Kind::kAgree) {
      v.kind = Verdict::Kind::kDiffer;
      v.reason = "values";
      v.detail = cat(sample, ": output '", ours.names[o], "': ", c.mismatches, " element(s) off, error ",
                     c.error, " > ", tolerance, "; ", c.detail);
    }
  }
  return v;
}

// ------------------------------------------------------------------ catalog


std::vector<CatalogEntry> read_catalog() {
  std::vector<CatalogEntry> out;
  std::ifstream in(test::shared_dir() / "models" / "CATALOG.tsv");
  std::string line;
  int file_col = -1;
  int kind_col = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream s(line);
    std::string col;
    while (std::getline(s, col, '\t')) cols.push_back(col);
    if (file_col < 0) {
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i] == "file") file_col = static_cast<int>(i);
        if (cols[i] == "kind") kind_col = static_cast<int>(i);
      }
      if (file_col < 0 || kind_col < 0) return {};
      continue;
    }
    if (cols.size() > static_cast<size_t>(std::max(file_col, kind_col))) {
      out.push_back({cols[static_cast<size_t>(file_col)], cols[static_cast<size_t>(kind_col)]});
    }
  }
  return out;
}

bool is_float_model(const std::string& kind) {
  return kind.rfind("float32", 0) == 0 || kind.rfind("float16-weights", 0) == 0 ||
         kind.rfind("dynamic-range", 0) == 0;
}

std::vector<std::string> quantizer_test_models() {
  std::vector<std::string> names = {"mobilenet_v1_0.25_224_1_metadata_1.tflite", "conv_fc_mnist.tflite",
                                    "ad01_fp32.tflite", "hello_world_float.tflite"};
  for (const auto& e : read_catalog()) {
    if (e.file.rfind("single_", 0) == 0 && e.kind.rfind("float32", 0) == 0) names.push_back(e.file);
  }
  names.push_back("bmm.tflite");
  names.push_back("bmm_constant_input.tflite");
  return names;
}

bool is_single_op_model(const std::string& name) {
  return name.rfind("single_", 0) == 0 || name.rfind("bmm", 0) == 0;
}

}  // namespace qs::conformance
