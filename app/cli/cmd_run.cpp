// `quantscope-cli run`: runs a model on arrays from .npy/.npz files with our
// interpreter and writes the outputs to an .npz.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "format/model_file.h"
#include "io/npy.h"
#include "io/npz.h"
#include "runtime/interpreter.h"

namespace qs::cli {

namespace {

constexpr const char* kHelp =
    "usage: quantscope-cli run MODEL --input A.npy [--input B.npy ...] --output OUT.npz\n"
    "                          [--signature KEY]\n"
    "       quantscope-cli run MODEL --input SAMPLES.npz --output OUT.npz [--signature KEY]\n"
    "\n"
    "Runs MODEL with QuantScope's float interpreter and writes every output to\n"
    "OUT.npz, keyed by output name (the signature's alias with --signature).\n"
    "\n"
    "  --input FILE      a .npy per model input, in the model's input order; or\n"
    "                    one .npz whose keys are the input names (or signature\n"
    "                    aliases, or arr_0, arr_1, ... in input order)\n"
    "  --output FILE     the .npz to write (replaced atomically; never an input)\n"
    "  --signature KEY   run this signature instead of subgraph 0\n"
    "\n"
    "An array may hold N samples along its first dimension where the model's\n"
    "is 1: the samples run one by one and the outputs are concatenated along\n"
    "dimension 0. Dimensions marked -1 in the model's shape signature take the\n"
    "array's size. float64/float16 arrays feed FLOAT32 inputs (rounded); other\n"
    "types must match exactly.\n";

struct Options {
  std::string model;
  std::vector<std::string> inputs;
  std::string output;
  std::string signature;
};

int usage_error(const std::string& message) { return cli::usage_error("run", message); }

bool has_npz_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".npz";
}

// An array given for one model input, and where it came from (for messages).
struct Provided {
  io::Array array;
  std::string source;  // "a.npy" or "s.npz: key 'x'"
};

// How one input is fed: the whole array once, or one slice per sample.
struct InputFeed {
  const Provided* provided = nullptr;
  runtime::Shape sample_shape;
  bool per_sample = false;
  int64_t samples = 1;
};

std::string describe(const runtime::Shape& shape, const runtime::Shape& signature) {
  std::string s = format::shape_string(shape);
  if (signature != shape) s += cat(" (signature ", format::shape_string(signature), ")");
  return s;
}

// True when `shape` fits `signature` (equal sizes, or -1 there).
bool fits(std::span<const int64_t> shape, std::span<const int32_t> signature) {
  if (shape.size() != signature.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (signature[d] >= 0 && shape[d] != signature[d]) return false;
  }
  return true;
}

std::optional<runtime::Shape> to_shape(std::span<const int64_t> dims) {
  runtime::Shape out;
  for (int64_t d : dims) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max()) return std::nullopt;
    out.push_back(static_cast<int32_t>(d));
  }
  return out;
}

class RunCommand {
 public:
  explicit RunCommand(Options options) : opt_(std::move(options)) {}

  int run() {
    if (int rc = check_paths(); rc != 0) return rc;
    auto file = format::ModelFile::open(opt_.model);
    if (!file) return input_error(file.error().message);
    auto model = std::make_shared<const format::Model>(file->to_model());
    runtime::InterpreterOptions options;
    options.signature = opt_.signature;
    auto interp = runtime::Interpreter::create(model, options);
    if (!interp) return input_error(cat(opt_.model, ": ", interp.error().message));
    interp_ = std::move(*interp);

    if (int rc = load_inputs(); rc != 0) return rc;
    if (int rc = plan_feeds(); rc != 0) return rc;
    if (int rc = run_samples(); rc != 0) return rc;
    return write_outputs();
  }

 private:
  // The output must not replace the model or an input.
  int check_paths() {
    std::vector<std::string> sources = opt_.inputs;
    sources.push_back(opt_.model);
    for (const auto& s : sources) {
      std::error_code ec;
      if (std::filesystem::equivalent(s, opt_.output, ec)) {
        return usage_error(
            cat("--output '", opt_.output, "' is the same file as '", s, "'; refusing to overwrite it"));
      }
    }
    return 0;
  }

  const format::Tensor& declared_input(int i) const {
    const auto& sg = interp_->model().subgraphs[static_cast<size_t>(interp_->subgraph_index())];
    return sg.tensors[static_cast<size_t>(interp_->input(i).index)];
  }

  // The signature alias of input `i` when a signature of the running
  // subgraph names it (used to match npz keys without --signature).
  std::optional<std::string> alias_of_input(int i) const {
    const int32_t tensor = interp_->input(i).index;
    for (const auto& sig : interp_->model().signatures) {
      if (static_cast<int>(sig.subgraph_index) != interp_->subgraph_index()) continue;
      for (const auto& m : sig.inputs) {
        if (static_cast<int32_t>(m.tensor_index) == tensor) return m.name;
      }
    }
    return std::nullopt;
  }

  int load_inputs() {
    const int n = interp_->input_count();
    if (opt_.inputs.size() == 1 && has_npz_extension(opt_.inputs[0])) {
      const std::string& path = opt_.inputs[0];
      auto arrays = io::read_npz(path);
      if (!arrays) return input_error(arrays.error().message);
      for (int i = 0; i < n; ++i) {
        const std::string name(interp_->input_name(i));
        std::vector<std::string> wanted{name};
        if (opt_.signature.empty()) {
          if (auto alias = alias_of_input(i)) wanted.push_back(*alias);
        }
        wanted.push_back(cat("arr_", i));  // numpy.savez's names for positional arrays
        const io::Array* found = nullptr;
        for (const auto& key : wanted) {
          for (const auto& a : *arrays) {
            if (found == nullptr && a.name == key) found = &a;
          }
        }
        if (found == nullptr) {
          std::string keys;
          for (const auto& a : *arrays) keys += (keys.empty() ? "'" : ", '") + a.name + "'";
          return input_error(cat(path, ": no array for input '", name, "' (the archive holds ",
                                 keys.empty() ? "no arrays" : keys, ")"));
        }
        provided_.push_back({*found, cat(path, ": key '", found->name, "'")});
      }
      return 0;
    }
    for (const auto& path : opt_.inputs) {
      if (has_npz_extension(path)) {
        return usage_error(cat("an .npz input ('", path, "') must be the only --input"));
      }
    }
    if (static_cast<int>(opt_.inputs.size()) != n) {
      return input_error(cat(opt_.model, ": the model takes ", n, " input", n == 1 ? "" : "s", ", given ",
                             opt_.inputs.size(), " .npy file", opt_.inputs.size() == 1 ? "" : "s"));
    }
    for (const auto& path : opt_.inputs) {
      auto array = io::read_npy(path);
      if (!array) return input_error(array.error().message);
      provided_.push_back({std::move(*array), path});
    }
    return 0;
  }

  // Checks every array against its input (type, shape) and decides how the
  // samples are fed.
  int plan_feeds() {
    const int n = interp_->input_count();
    for (int i = 0; i < n; ++i) {
      Provided& p = provided_[static_cast<size_t>(i)];
      const runtime::Tensor& t = interp_->input(i);
      const std::string where = cat("input '", interp_->input_name(i), "' (", p.source, ")");
      const auto dtype = io::to_tensor_type(p.array.dtype);
      if (dtype != t.type) {
        const bool float_in = p.array.dtype == io::DType::kFloat64 || p.array.dtype == io::DType::kFloat16;
        if (!(t.type == format::TensorType::FLOAT32 && float_in)) {
          return input_error(cat(where, ": dtype ", io::dtype_name(p.array.dtype),
                                 " does not match the model's ", format::type_name(t.type)));
        }
        auto converted = io::convert_float(p.array, io::DType::kFloat32);
        if (!converted) return input_error(cat(where, ": ", converted.error().message));
        p.array = std::move(*converted);
      }
      const format::Tensor& decl = declared_input(i);
      const runtime::Shape declared = decl.shape;
      // Without a shape signature the declared shape is fixed.
      const runtime::Shape signature = decl.shape_signature.empty() ? decl.shape : decl.shape_signature;
      const auto& a = p.array.shape;
      InputFeed feed;
      feed.provided = &p;
      if (!to_shape(a)) return input_error(cat(where, ": shape ", io::shape_string(a), " is too large"));
      if (fits(a, signature)) {
        feed.sample_shape = *to_shape(a);
      } else if (!a.empty() && !signature.empty() && declared[0] == 1 &&
                 fits(std::span(a).subspan(1), std::span(signature).subspan(1))) {
        if (a[0] == 0) return input_error(cat(where, ": shape ", io::shape_string(a), " holds no samples"));
        feed.per_sample = true;
        feed.samples = a[0];
        feed.sample_shape = *to_shape(a);
        feed.sample_shape[0] = 1;
      } else {
        return input_error(cat(where, ": shape ", io::shape_string(a), " does not fit the model's ",
                               describe(declared, signature)));
      }
      feeds_.push_back(std::move(feed));
    }
    // One batch size for every input given per sample.
    const InputFeed* first = nullptr;
    for (const auto& f : feeds_) {
      if (!f.per_sample) continue;
      if (first == nullptr) {
        first = &f;
      } else if (f.samples != first->samples) {
        return input_error(cat("inputs disagree on the number of samples: ", first->provided->source, " has ",
                               first->samples, ", ", f.provided->source, " has ", f.samples));
      }
    }
    samples_ = first != nullptr ? first->samples : 1;
    if (first != nullptr) {
      // An input whose -1 batch dimension took the same N is sliced too,
      // so every run sees one sample of each input.
      for (size_t i = 0; i < feeds_.size(); ++i) {
        InputFeed& f = feeds_[i];
        const auto& sig = declared_input(static_cast<int>(i)).shape_signature;
        if (!f.per_sample && !sig.empty() && sig[0] == -1 && !f.sample_shape.empty() &&
            f.sample_shape[0] == samples_) {
          f.per_sample = true;
          f.samples = samples_;
          f.sample_shape[0] = 1;
        }
      }
    }
    return 0;
  }

  int run_samples() {
    const int n_in = interp_->input_count();
    const int n_out = interp_->output_count();
    results_.assign(static_cast<size_t>(n_out), {});
    result_shapes_.assign(static_cast<size_t>(n_out), {});
    for (int64_t s = 0; s < samples_; ++s) {
      const std::string sample = samples_ > 1 ? cat(" (sample ", s, ")") : std::string();
      for (int i = 0; i < n_in; ++i) {
        const InputFeed& f = feeds_[static_cast<size_t>(i)];
        if (interp_->input(i).shape != f.sample_shape) {
          if (auto st = interp_->resize_input(i, f.sample_shape); !st) {
            return input_error(cat(opt_.model, ": ", st.error().message));
          }
        }
      }
      for (int i = 0; i < n_in; ++i) {
        const InputFeed& f = feeds_[static_cast<size_t>(i)];
        const auto& data = f.provided->array.data;
        const size_t slice = f.per_sample ? data.size() / static_cast<size_t>(f.samples) : data.size();
        const size_t offset = f.per_sample ? slice * static_cast<size_t>(s) : 0;
        if (auto st = interp_->set_input(i, std::span(data).subspan(offset, slice)); !st) {
          return input_error(cat(opt_.model, ": ", st.error().message, sample));
        }
      }
      if (auto st = interp_->invoke(); !st)
        return input_error(cat(opt_.model, ": ", st.error().message, sample));
      for (int o = 0; o < n_out; ++o) {
        const runtime::Tensor& t = interp_->output(o);
        auto& shape = result_shapes_[static_cast<size_t>(o)];
        if (s == 0) {
          shape = t.shape;
        } else if (shape != t.shape) {
          return input_error(cat(opt_.model, ": output '", interp_->output_name(o), "' changed shape from ",
                                 format::shape_string(shape), " to ", format::shape_string(t.shape), sample,
                                 "; samples cannot be concatenated"));
        }
        auto& out = results_[static_cast<size_t>(o)];
        out.insert(out.end(), t.data, t.data + t.bytes);
      }
    }
    return 0;
  }

  int write_outputs() {
    std::vector<io::Array> arrays;
    std::set<std::string> used;
    for (int o = 0; o < interp_->output_count(); ++o) {
      const runtime::Tensor& t = interp_->output(o);
      std::string key(interp_->output_name(o));
      if (key.empty() || used.count(key) != 0) key = cat("output_", o);
      used.insert(key);
      const auto dtype = io::from_tensor_type(t.type);
      if (!dtype) {
        return input_error(cat(opt_.model, ": output '", key, "' has type ", format::type_name(t.type),
                               ", which a .npy file cannot hold"));
      }
      io::Array a;
      a.name = key;
      a.dtype = *dtype;
      const auto& shape = result_shapes_[static_cast<size_t>(o)];
      a.shape.assign(shape.begin(), shape.end());
      if (samples_ > 1) {
        if (a.shape.empty()) {
          a.shape = {samples_};  // scalars stack into a vector
        } else {
          a.shape[0] *= samples_;
        }
      }
      a.data = std::move(results_[static_cast<size_t>(o)]);
      arrays.push_back(std::move(a));
    }
    if (auto st = io::write_npz(opt_.output, arrays); !st) return input_error(st.error().message);
    std::string summary;
    for (const auto& a : arrays) {
      summary += cat(summary.empty() ? "" : ", ", "'", a.name, "' ", io::dtype_name(a.dtype),
                     io::shape_string(a.shape));
    }
    const std::string runs = samples_ == 1 ? std::string("1 run") : cat(samples_, " samples, one run each");
    std::printf("wrote %s (%s): %s\n", opt_.output.c_str(), runs.c_str(), summary.c_str());
    return 0;
  }

  Options opt_;
  std::unique_ptr<runtime::Interpreter> interp_;
  std::vector<Provided> provided_;
  std::vector<InputFeed> feeds_;
  int64_t samples_ = 1;
  std::vector<std::vector<std::byte>> results_;
  std::vector<runtime::Shape> result_shapes_;
};

}  // namespace

int run_run(const std::vector<std::string>& args) {
  Options opt;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&](std::string& into) -> bool {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (a == "--input" || a == "-i") {
      std::string v;
      if (!value(v)) return usage_error("--input needs a file");
      opt.inputs.push_back(v);
    } else if (a == "--output" || a == "-o") {
      if (!opt.output.empty()) return usage_error("--output given twice");
      if (!value(opt.output)) return usage_error("--output needs a file");
    } else if (a == "--signature") {
      if (!value(opt.signature) || opt.signature.empty()) return usage_error("--signature needs a key");
    } else if (!a.empty() && a[0] == '-') {
      return usage_error(cat("unknown option '", a, "'"));
    } else if (opt.model.empty()) {
      opt.model = a;
    } else {
      return usage_error(cat("one model at a time ('", a, "' is extra)"));
    }
  }
  if (opt.model.empty() || opt.inputs.empty() || opt.output.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  return RunCommand(std::move(opt)).run();
}

}  // namespace qs::cli
