#pragma once
// Calibration (and comparison) data: files on disk turned into model inputs,
// one sample at a time.
//
// A sample is one array per model input, each in the input's element type
// and its batch-1 shape (dimensions that are -1 in the shape signature take
// the data's size). Where samples come from:
//   - images (.png .jpg .jpeg .bmp), through ImagePreprocess: one sample each;
//   - .npy arrays of any numeric dtype (float16/float64 converted for FLOAT32
//     inputs; float arrays quantized, as images are, for INT8/UINT8/INT16
//     inputs with quantization): the input's shape is one sample,
//     [N] + shape[1:] is N samples (an input whose first dimension is not a
//     batch of 1 takes [N] + shape);
//   - .npz archives (stored or deflated): keys matched to input names (or
//     signature aliases, or numpy.savez's "arr_<k>" for input k); for a
//     one-input model (or an archive bound to an input) a single-array
//     archive also fits, and so does the only array that fits the input
//     (calibration_samples.npz: 'specs', not 'labels'); N samples as for .npy;
//   - raw .bin files of a declared dtype and shape (default: the input's
//     type, and as many samples of the input's shape as the size holds; with
//     a window of K rows, rows of 1/K of the input's values);
//   - WAV (16-bit PCM, mono or the first channel) for audio inputs: values
//     scaled to [-1, 1) for FLOAT32 inputs, raw for INT16 inputs; a clip
//     longer than the input is cut into consecutive windows (a partial last
//     window is dropped), a shorter one is zero-padded (both counted in the
//     summary);
//   - folders (every supported file below them, sorted by path, recursively;
//     not list files, hidden files or hidden folders; other files ignored)
//     and list files (.txt: one path per line, relative to the list file,
//     '#' comments; folders in them are expanded).
// A file reached twice for the same input (a folder and a file in it) feeds
// it once.
// Optionally a window slides over the first dimension of array data (raw,
// .npy, .npz, WAV): K consecutive rows flattened make one sample, advancing
// by HOP rows; e.g. 200 x 128 mel frames with window 5, hop 1 give 196
// samples of 640 values. Windows need inputs whose only dynamic dimension
// is the batch.
//
// Binding: with one model input everything feeds it. With several, an .npz
// feeds every input it has a key for; other paths must be bound to an input
// by name (DataSpec::input). Every input needs data, and inputs fed per
// sample must agree on the count (an input given exactly once is reused).
//
// Errors name the file and the problem (and the input where it matters):
// "cat.jpg: cannot decode image: bad Huffman code", "x.npy: input 'x' wants
// float32 [1,640] or [N,640], the file holds int32 [3,600]". open() reports
// every problem it can see without decoding images; load() reports a bad
// image. With skip_bad, open() drops unusable files and load() callers may
// skip failing samples; skipped() lists them with the reason.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calib/preprocess.h"
#include "common/status.h"
#include "format/model.h"
#include "io/npy.h"

namespace qs::calib {

// One model input as the sample set sees it.
struct InputInfo {
  std::string name;  // tensor name, or the signature alias
  // Other names that also bind data to this input and match .npz keys: the
  // tensor name when `name` is an alias, else the aliases signatures of the
  // subgraph give it.
  std::vector<std::string> aliases;
  int32_t tensor = -1;  // index in its subgraph
  format::TensorType type = format::TensorType::FLOAT32;
  std::vector<int32_t> shape;      // as declared
  std::vector<int32_t> signature;  // shape_signature (empty: same as shape)
  std::optional<float> scale;      // per-tensor quantization, if any
  std::optional<int64_t> zero_point;
  std::optional<ValueMapping> metadata_values;  // TFLite Metadata normalisation
};

// The inputs of `subgraph` (or of `signature`, when not empty), with the
// metadata normalisation of each where the model has one.
Result<std::vector<InputInfo>> model_inputs(const format::Model& model, int subgraph = 0,
                                            const std::string& signature = "");

struct DataSpec {
  std::filesystem::path path;
  std::string input;  // bind to this input (name or alias); empty: automatic
};

struct RawSpec {
  std::optional<io::DType> dtype;             // default: the input's type
  std::optional<std::vector<int64_t>> shape;  // the whole file's shape; default: [N] + input shape[1:]
};

struct Window {
  int64_t size = 0;  // rows per sample; 0: no window
  int64_t hop = 1;
};

struct SourceOptions {
  ImagePreprocess image;
  RawSpec raw;
  Window window;
  size_t limit = 0;  // 0: every sample
  bool skip_bad = false;
};

// A file or sample left out with skip_bad, and why.
struct Skipped {
  std::string what;  // "a/b.jpg", "s.npz: 'x'[3]"
  std::string why;
};

// What each input is fed with, for reports and stats files.
struct InputSummary {
  std::string input;
  std::vector<std::string> sources;         // files and folders as given
  std::string kind;                         // "images", "arrays", "raw", "wav", "mixed"
  size_t samples = 0;                       // per input (1 when reused)
  std::optional<ResolvedPreprocess> image;  // set when images feed it
  std::string details;  // e.g. "window 5 hop 1 over float32 [200,128]", "3 clips zero-padded"
};

class SampleSet {
 public:
  static Result<SampleSet> open(std::vector<InputInfo> inputs, const std::vector<DataSpec>& data,
                                const SourceOptions& options);
  SampleSet(SampleSet&&) noexcept;
  SampleSet& operator=(SampleSet&&) noexcept;
  ~SampleSet();

  const std::vector<InputInfo>& inputs() const;
  size_t size() const;  // after `limit`

  // Sample `i`, one array per input in input order. Safe to call from
  // several threads at once.
  Result<std::vector<io::Array>> load(size_t i) const;
  // Where sample `i` comes from: "img/cat.jpg", "specs.npz: 'specs'[12]".
  std::string describe(size_t i) const;

  std::vector<InputSummary> summary() const;
  // Files dropped by open() with skip_bad.
  const std::vector<Skipped>& skipped() const;

  class Impl;

 private:
  explicit SampleSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qs::calib
