#include "calib/source_arrays.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <span>

#include "calib/source_files.h"
#include "calib/source_values.h"
#include "inspect/tflite_metadata.h"

namespace qs::calib {
namespace {

using format::TensorType;

// Inputs whose first dimension is a batch of 1 (or dynamic) take [N, ...]
// as N samples; others take a stack [N] + shape.
bool batched(const InputInfo& in) {
  return !in.shape.empty() && (in.shape[0] == 1 || signature_of(in)[0] == -1);
}

// Equal sizes, or -1 in the signature.
bool fits(std::span<const int64_t> shape, std::span<const int32_t> signature) {
  if (shape.size() != signature.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (signature[d] >= 0 && shape[d] != signature[d]) return false;
  }
  return true;
}

// Elements of a shape, or nothing for negative dimensions and overflow.
std::optional<int64_t> product(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > std::numeric_limits<int64_t>::max() / d)) return std::nullopt;
    n *= d;
  }
  return n;
}

std::string input_text(const InputInfo& in) {
  return cat("input '", in.name, "' ", format::shape_string(signature_of(in)));
}

// One sample's shape when only the batch dimension may be dynamic.
Result<std::vector<int64_t>> fixed_sample_shape(const InputInfo& in, const std::string& why) {
  const std::vector<int32_t> sig = signature_of(in);
  std::vector<int64_t> shape(in.shape.begin(), in.shape.end());
  for (size_t d = 0; d < sig.size(); ++d) {
    if (d == 0 && batched(in)) {
      shape[0] = 1;
    } else if (sig[d] < 0) {
      return fail(cat(input_text(in), " has a dynamic dimension ", d, "; ", why));
    }
  }
  return shape;
}

bool is_real(io::DType t) {
  return t == io::DType::kFloat16 || t == io::DType::kFloat32 || t == io::DType::kFloat64;
}

InputCast cast_of(const InputInfo& in) { return {in.type, in.scale, in.zero_point}; }

std::string type_text(TensorType type) {
  const auto dtype = io::from_tensor_type(type);
  return dtype ? std::string(io::dtype_name(*dtype)) : format::type_name(type);
}

std::string holds(const std::vector<int64_t>& shape, io::DType dtype) {
  return cat(io::dtype_name(dtype), " ", io::shape_string(shape));
}

// "float32 [1,640] or [N,640]"
std::string wanted(const InputInfo& in) {
  std::vector<int32_t> one = signature_of(in);
  const bool b = batched(in);
  if (b) one[0] = 1;
  const std::span<const int32_t> rest =
      b ? std::span<const int32_t>(one).subspan(1) : std::span<const int32_t>(one);
  const std::string inner = format::shape_string(rest).substr(1);  // "640]"
  const std::string stacked = inner == "]" ? "[N]" : "[N," + inner;
  return cat(type_text(in.type), " ", format::shape_string(one), " or ", stacked,
             quantizes(cast_of(in)) ? " (or floats to quantize)" : "");
}

enum class Conversion { kNone, kToFloat32, kQuantize, kRefused };

Conversion conversion_for(io::DType dtype, const InputInfo& in) {
  if (io::to_tensor_type(dtype) == in.type) return Conversion::kNone;
  if (in.type == TensorType::FLOAT32 && is_real(dtype)) return Conversion::kToFloat32;
  if (is_real(dtype) && quantizes(cast_of(in))) return Conversion::kQuantize;
  return Conversion::kRefused;
}

struct Plan {
  std::vector<int64_t> sample_shape;
  int64_t rows = 1;
  int64_t rows_per_sample = 1;
  int64_t hop = 1;
  size_t count = 1;
};

Result<Plan> plan_whole(const std::vector<int64_t>& shape, io::DType dtype, const InputInfo& in,
                        const std::string& where) {
  std::vector<int32_t> sig = signature_of(in);
  const bool b = batched(in);
  std::vector<int32_t> one = sig;
  if (b) one[0] = 1;
  if (fits(shape, one)) {
    Plan whole;
    whole.sample_shape = shape;
    return whole;
  }
  const std::span<const int64_t> tail =
      shape.empty() ? std::span<const int64_t>() : std::span(shape).subspan(1);
  const bool stack = !shape.empty() && (b ? fits(tail, std::span(sig).subspan(1)) : fits(tail, sig));
  if (!stack) {
    return fail(
        cat(where, ": input '", in.name, "' wants ", wanted(in), ", the file holds ", holds(shape, dtype)));
  }
  Plan p;
  p.rows = shape[0];
  p.count = static_cast<size_t>(shape[0]);
  if (b) {
    p.sample_shape = shape;
    p.sample_shape[0] = 1;
  } else {
    p.sample_shape.assign(tail.begin(), tail.end());
  }
  return p;
}

Result<Plan> plan_window(const std::vector<int64_t>& shape, io::DType dtype, const InputInfo& in,
                         const Window& w, const std::string& where) {
  auto sample = fixed_sample_shape(in, "windows need a fixed sample size");
  if (!sample) return fail(cat(where, ": ", sample.error().message));
  if (shape.empty()) return fail(cat(where, ": a scalar has no rows to window"));
  const int64_t row = *product(std::span(shape).subspan(1));
  const int64_t want = *product(*sample);
  if (row * w.size != want) {
    return fail(cat(where, ": a window of ", w.size, " rows of ", row, " values (", holds(shape, dtype),
                    ") makes ", row * w.size, " values, ", input_text(in), " wants ", want));
  }
  if (shape[0] < w.size) {
    return fail(cat(where, ": holds ", shape[0], " rows (", holds(shape, dtype),
                    "), fewer than the window of ", w.size));
  }
  Plan p;
  p.sample_shape = *sample;
  p.rows = shape[0];
  p.rows_per_sample = w.size;
  p.hop = w.hop;
  p.count = static_cast<size_t>((shape[0] - w.size) / w.hop + 1);
  return p;
}

Result<Plan> plan_for(const std::vector<int64_t>& shape, io::DType dtype, const InputInfo& in,
                      const Window& w, const std::string& where) {
  if (conversion_for(dtype, in) == Conversion::kRefused) {
    return fail(
        cat(where, ": input '", in.name, "' wants ", wanted(in), ", the file holds ", holds(shape, dtype)));
  }
  const auto n = product(shape);
  if (!n || *n == 0) return fail(cat(where, ": holds no data (", holds(shape, dtype), ")"));
  return w.size > 0 ? plan_window(shape, dtype, in, w, where) : plan_whole(shape, dtype, in, where);
}

std::vector<float> floats_of(const io::Array& a) {
  std::vector<float> out(a.data.size() / sizeof(float));
  std::memcpy(out.data(), a.data.data(), out.size() * sizeof(float));
  return out;
}

// The array in the input's element type, and what was done to it.
Result<std::pair<io::Array, std::string>> converted(io::Array array, const InputInfo& in,
                                                    const std::string& where) {
  const Conversion c = conversion_for(array.dtype, in);
  if (c == Conversion::kNone) return std::pair{std::move(array), std::string()};
  const std::string from(io::dtype_name(array.dtype));
  auto f32 = io::convert_float(array, io::DType::kFloat32);
  if (!f32) return fail(cat(where, ": ", f32.error().message));
  if (c == Conversion::kToFloat32) return std::pair{std::move(*f32), cat(from, " converted to float32")};
  auto bytes = cast_values(floats_of(*f32), cast_of(in), where);
  if (!bytes) return tl::unexpected(bytes.error());
  f32->dtype = *io::from_tensor_type(in.type);
  f32->data = std::move(*bytes);
  return std::pair{std::move(*f32),
                   cat(from, " quantized to ", type_text(in.type), " (scale ",
                       inspect::float_list({*in.scale}), ", zero point ", in.zero_point.value_or(0), ")")};
}

Result<std::vector<int64_t>> default_raw_row(const InputInfo& in, const Window& w, const std::string& where) {
  auto sample = fixed_sample_shape(in, "give the raw file's shape");
  if (!sample) return fail(cat(where, ": ", sample.error().message));
  if (w.size > 0) {
    const int64_t n = *product(*sample);
    if (n % w.size != 0) {
      return fail(cat(where, ": ", input_text(in), " holds ", n,
                      " values, not a whole number of rows for a window of ", w.size,
                      "; give the raw file's shape"));
    }
    return std::vector<int64_t>{n / w.size};
  }
  if (batched(in)) sample->erase(sample->begin());
  return *sample;
}

Result<std::vector<int64_t>> raw_shape(size_t bytes, io::DType dtype, const InputInfo& in, const RawSpec& raw,
                                       const Window& w, const std::string& where) {
  const size_t esize = io::dtype_size(dtype);
  if (raw.shape) {
    const auto n = product(*raw.shape);
    if (!n || static_cast<uint64_t>(*n) > std::numeric_limits<uint64_t>::max() / esize ||
        static_cast<uint64_t>(*n) * esize != bytes) {
      return fail(cat(where, ": ", holds(*raw.shape, dtype), " needs ",
                      n ? cat(*n * static_cast<int64_t>(esize)) : "?", " bytes, the file has ", bytes));
    }
    return *raw.shape;
  }
  auto row = default_raw_row(in, w, where);
  if (!row) return tl::unexpected(row.error());
  const size_t row_bytes = static_cast<size_t>(*product(*row)) * esize;
  if (bytes == 0 || row_bytes == 0 || bytes % row_bytes != 0) {
    return fail(cat(where, ": the file's ", bytes, " bytes are not a whole number of ", io::dtype_name(dtype),
                    " rows of ", io::shape_string(*row), " (", row_bytes, " bytes each)"));
  }
  row->insert(row->begin(), static_cast<int64_t>(bytes / row_bytes));
  return *row;
}

// A clip's samples in the input's element type, zero-padded to `length`.
io::Array clip_array(const WavClip& clip, TensorType type, size_t length) {
  io::Array a;
  a.shape = {static_cast<int64_t>(length)};
  if (type == TensorType::INT16) {
    a.dtype = io::DType::kInt16;
    a.data.resize(length * sizeof(int16_t));
    std::memcpy(a.data.data(), clip.samples.data(), clip.samples.size() * sizeof(int16_t));
    return a;
  }
  std::vector<float> values(length, 0.0f);
  std::transform(clip.samples.begin(), clip.samples.end(), values.begin(),
                 [](int16_t s) { return static_cast<float>(s) / 32768.0f; });
  a.dtype = io::DType::kFloat32;
  a.data.resize(length * sizeof(float));
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

}  // namespace

std::vector<int32_t> signature_of(const InputInfo& in) {
  return in.signature.size() == in.shape.size() ? in.signature : in.shape;
}

io::Array SampleRun::sample(size_t j, const std::string& name) const {
  io::Array a;
  a.name = name;
  a.dtype = array->dtype;
  a.shape = sample_shape;
  const size_t offset = j * static_cast<size_t>(hop) * row_bytes;
  const size_t size = static_cast<size_t>(rows_per_sample) * row_bytes;
  const auto begin = array->data.begin() + static_cast<std::ptrdiff_t>(offset);
  a.data.assign(begin, begin + static_cast<std::ptrdiff_t>(size));
  return a;
}

std::string SampleRun::describe(size_t j) const {
  const int64_t first = static_cast<int64_t>(j) * hop;
  const int64_t last = first + rows_per_sample - 1;
  switch (label) {
    case Label::kRows:
      return cat(where, " rows ", first, "..", last);
    case Label::kAudio:
      return count == 1 ? where : cat(where, " samples ", first, "..", last);
    case Label::kIndex:
      break;
  }
  return count == 1 ? where : cat(where, "[", j, "]");
}

Status check_array_fits(const std::vector<int64_t>& shape, io::DType dtype, const InputInfo& input,
                        const Window& window, const std::string& where) {
  auto p = plan_for(shape, dtype, input, window, where);
  if (!p) return tl::unexpected(p.error());
  return {};
}

Result<SampleRun> array_samples(io::Array array, const InputInfo& input, const Window& window,
                                std::string where) {
  auto p = plan_for(array.shape, array.dtype, input, window, where);
  if (!p) return tl::unexpected(p.error());
  SampleRun run;
  if (window.size > 0) {
    run.window = cat("window ", window.size, " hop ", window.hop, " over ", holds(array.shape, array.dtype));
    run.label = SampleRun::Label::kRows;
  }
  auto c = converted(std::move(array), input, where);
  if (!c) return tl::unexpected(c.error());
  run.conversion = std::move(c->second);
  run.row_bytes = c->first.data.size() / static_cast<size_t>(p->rows);
  run.array = std::make_shared<const io::Array>(std::move(c->first));
  run.sample_shape = std::move(p->sample_shape);
  run.rows_per_sample = p->rows_per_sample;
  run.hop = p->hop;
  run.count = p->count;
  run.where = std::move(where);
  return run;
}

Result<io::Array> read_raw(const std::filesystem::path& path, const InputInfo& input, const RawSpec& raw,
                           const Window& window) {
  const std::string where = path.string();
  const auto dtype = raw.dtype ? raw.dtype : io::from_tensor_type(input.type);
  if (!dtype) {
    return fail(
        cat(where, ": ", input_text(input), " is ", format::type_name(input.type), "; give the raw dtype"));
  }
  auto bytes = read_whole_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto shape = raw_shape(bytes->size(), *dtype, input, raw, window, where);
  if (!shape) return tl::unexpected(shape.error());
  io::Array a;
  a.dtype = *dtype;
  a.shape = std::move(*shape);
  a.data = std::move(*bytes);
  return a;
}

Result<SampleRun> wav_samples(const WavClip& clip, const InputInfo& input, const Window& window,
                              std::string where) {
  if (input.type != TensorType::FLOAT32 && input.type != TensorType::INT16) {
    return fail(cat(where, ": WAV feeds FLOAT32 and INT16 inputs; ", input_text(input), " is ",
                    format::type_name(input.type)));
  }
  if (clip.samples.empty()) return fail(cat(where, ": the clip holds no samples"));
  auto sample = fixed_sample_shape(input, "a WAV clip needs a fixed sample size");
  if (!sample) return fail(cat(where, ": ", sample.error().message));
  const int64_t want = *product(*sample);
  const int64_t size = window.size > 0 ? window.size : want;
  const int64_t hop = window.size > 0 ? window.hop : want;
  if (size != want) {
    return fail(cat(where, ": a window of ", size, " samples does not make ", input_text(input), " (", want,
                    " values)"));
  }
  const auto length = std::max(static_cast<int64_t>(clip.samples.size()), size);
  SampleRun run;
  run.array = std::make_shared<const io::Array>(clip_array(clip, input.type, static_cast<size_t>(length)));
  run.sample_shape = std::move(*sample);
  run.row_bytes = run.array->data.size() / static_cast<size_t>(length);
  run.rows_per_sample = size;
  run.hop = hop;
  run.count = static_cast<size_t>((length - size) / hop + 1);
  run.where = std::move(where);
  run.label = SampleRun::Label::kAudio;
  run.zero_padded = static_cast<int64_t>(clip.samples.size()) < size;
  run.tail_dropped = (length - size) % hop != 0;
  if (window.size > 0) run.window = cat("window ", size, " hop ", hop, " over ", length, " audio samples");
  return run;
}

}  // namespace qs::calib
