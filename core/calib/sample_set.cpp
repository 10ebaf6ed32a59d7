#include "calib/sample_set.h"

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>
#include <variant>

#include "calib/image.h"
#include "calib/source_arrays.h"
#include "calib/source_files.h"
#include "calib/wav.h"
#include "io/npz.h"

namespace qs::calib {
namespace {

namespace fs = std::filesystem;

struct ImageFile {
  fs::path path;
};
using Source = std::variant<SampleRun, ImageFile>;

enum KindBit : unsigned { kImages = 1, kArrays = 2, kRaw = 4, kWav = 8 };

void add_unique(std::vector<std::string>& list, const std::string& s) {
  if (!s.empty() && std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// Everything that feeds one input, in sample order.
struct Feed {
  std::vector<Source> sources;
  std::vector<size_t> ends;  // running sample count after each source
  std::vector<std::string> specs;
  std::set<std::string> files;  // canonical paths, so a file given twice counts once
  unsigned kinds = 0;
  std::optional<ResolvedPreprocess> image;
  ImageInput image_input;
  std::vector<std::string> conversions;
  std::vector<std::string> windows;
  size_t zero_padded = 0;
  size_t tails_dropped = 0;
  size_t repeats = 0;

  size_t count() const { return ends.empty() ? 0 : ends.back(); }

  void add(Source source, size_t samples, unsigned kind, const std::string& spec) {
    sources.push_back(std::move(source));
    ends.push_back(count() + samples);
    kinds |= kind;
    add_unique(specs, spec);
  }

  void add_run(SampleRun run, unsigned kind, const std::string& spec) {
    add_unique(conversions, run.conversion);
    add_unique(windows, run.window);
    zero_padded += run.zero_padded ? 1 : 0;
    tails_dropped += run.tail_dropped ? 1 : 0;
    const size_t n = run.count;
    add(std::move(run), n, kind, spec);
  }

  // The source holding sample `j`, and the sample's index inside it.
  std::pair<const Source*, size_t> locate(size_t j) const {
    const size_t s = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), j) - ends.begin());
    return {&sources[s], j - (s == 0 ? 0 : ends[s - 1])};
  }
};

std::string canonical_text(const fs::path& path) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(path, ec);
  return (ec ? path.lexically_normal() : c).string();
}

std::string names_text(const std::vector<InputInfo>& inputs) {
  std::string s;
  for (const auto& in : inputs) s += cat(s.empty() ? "'" : ", '", in.name, "'");
  return s;
}

std::string keys_text(const std::vector<io::Array>& arrays) {
  std::string s;
  for (const auto& a : arrays) {
    s += cat(s.empty() ? "'" : ", '", a.name, "' ", io::dtype_name(a.dtype), " ", io::shape_string(a.shape));
  }
  return s.empty() ? "no arrays" : s;
}

bool answers_to(const InputInfo& in, const std::string& name) {
  return in.name == name || std::find(in.aliases.begin(), in.aliases.end(), name) != in.aliases.end();
}

// The member named after input `k`: its name, an alias, or numpy.savez's
// positional "arr_<k>".
const io::Array* keyed_member(const std::vector<io::Array>& arrays, const InputInfo& in, size_t k) {
  std::vector<std::string> names{in.name};
  names.insert(names.end(), in.aliases.begin(), in.aliases.end());
  names.push_back(cat("arr_", k));
  for (const auto& name : names) {
    for (const auto& a : arrays) {
      if (a.name == name) return &a;
    }
  }
  return nullptr;
}

// The shape images produce for `in`: batch 1, -1 where the size is chosen
// at run time.
ImageInput image_input_of(const InputInfo& in) {
  ImageInput ii;
  ii.name = in.name;
  ii.type = in.type;
  ii.scale = in.scale;
  ii.zero_point = in.zero_point;
  ii.metadata_values = in.metadata_values;
  const std::vector<int32_t> sig = signature_of(in);
  ii.shape = in.shape;
  for (size_t d = 0; d < sig.size(); ++d) {
    if (sig[d] == -1) ii.shape[d] = d == 0 ? 1 : -1;
  }
  return ii;
}

const char* kind_name(unsigned kinds) {
  switch (kinds) {
    case kImages:
      return "images";
    case kArrays:
      return "arrays";
    case kRaw:
      return "raw";
    case kWav:
      return "wav";
    default:
      return "mixed";
  }
}

}  // namespace

class SampleSet::Impl {
 public:
  std::vector<InputInfo> inputs;
  std::vector<Feed> feeds;
  std::vector<Skipped> skipped;
  size_t total = 0;  // before the limit
  size_t size = 0;

  size_t index_in(const Feed& f, size_t i) const { return f.count() == 1 ? 0 : i; }
};

namespace {

// Builds a SampleSet::Impl from the data specs, one file at a time.
class Opener {
 public:
  Opener(SampleSet::Impl& impl, const SourceOptions& options) : impl_(impl), options_(options) {}

  Status add_spec(const DataSpec& spec) {
    auto target = target_of(spec);
    if (!target) return tl::unexpected(target.error());
    auto files = expand_data_path(spec.path);
    if (!files) return tl::unexpected(files.error());
    for (const fs::path& file : *files) {
      if (auto st = add_file(file, *target, spec.path.string()); !st) return st;
    }
    return {};
  }

  Status finish() {
    for (size_t k = 0; k < impl_.feeds.size(); ++k) {
      if (impl_.feeds[k].count() == 0) return fail(no_data(k));
      impl_.total = std::max(impl_.total, impl_.feeds[k].count());
    }
    for (size_t k = 0; k < impl_.feeds.size(); ++k) {
      const size_t n = impl_.feeds[k].count();
      if (n != 1 && n != impl_.total) return fail(disagreement(k));
    }
    impl_.size = options_.limit > 0 ? std::min(impl_.total, options_.limit) : impl_.total;
    return {};
  }

 private:
  // The input a spec is bound to; nothing when .npz keys decide.
  Result<std::optional<size_t>> target_of(const DataSpec& spec) const {
    const auto& inputs = impl_.inputs;
    if (spec.input.empty()) {
      return inputs.size() == 1 ? std::optional<size_t>(0) : std::nullopt;
    }
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (answers_to(inputs[k], spec.input)) return std::optional<size_t>(k);
    }
    return fail(cat(spec.path.string(), ": the model has no input '", spec.input,
                    "' (inputs: ", names_text(inputs), ")"));
  }

  // A problem with one file: fatal, or noted and passed over with skip_bad.
  Status reject(const std::string& what, const Error& error) {
    if (!options_.skip_bad) return tl::unexpected(error);
    impl_.skipped.push_back({what, error.message});
    return {};
  }

  Status add_file(const fs::path& file, std::optional<size_t> target, const std::string& spec) {
    const FileKind kind = file_kind(file);
    if (!target && kind != FileKind::kNpz) {
      return fail(cat(file.string(), ": the model has ", impl_.inputs.size(), " inputs (",
                      names_text(impl_.inputs),
                      "); bind this file to one of them by name (only .npz keys pick inputs themselves)"));
    }
    if (!target) return add_npz_by_keys(file, spec);
    Feed& feed = impl_.feeds[*target];
    if (!feed.files.insert(canonical_text(file)).second) {
      ++feed.repeats;
      add_unique(feed.specs, spec);
      return {};
    }
    Status st = add_bound(file, kind, *target, spec);
    if (!st) feed.files.erase(canonical_text(file));
    return st;
  }

  Status add_bound(const fs::path& file, FileKind kind, size_t k, const std::string& spec) {
    Feed& feed = impl_.feeds[k];
    const InputInfo& in = impl_.inputs[k];
    const std::string where = file.string();
    switch (kind) {
      case FileKind::kImage: {
        if (auto st = ensure_preprocess(k); !st) return st;
        auto header = read_image_header(file);
        if (!header) return reject(where, header.error());
        feed.add(ImageFile{file}, 1, kImages, spec);
        return {};
      }
      case FileKind::kNpy: {
        auto array = io::read_npy(file);
        if (!array) return reject(where, array.error());
        return add_array(std::move(*array), k, where, kArrays, spec);
      }
      case FileKind::kNpz:
        return add_npz_bound(file, k, spec);
      case FileKind::kRaw: {
        auto array = read_raw(file, in, options_.raw, options_.window);
        if (!array) return reject(where, array.error());
        return add_array(std::move(*array), k, where, kRaw, spec);
      }
      case FileKind::kWav: {
        auto clip = read_wav(file);
        if (!clip) return reject(where, clip.error());
        auto run = wav_samples(*clip, in, options_.window, where);
        if (!run) return reject(where, run.error());
        feed.add_run(std::move(*run), kWav, spec);
        return {};
      }
      case FileKind::kList:
      case FileKind::kUnsupported:
        break;
    }
    return reject(where,
                  Error{cat(where, ": unsupported file type '", file.extension().string(),
                            "' (images .png .jpg .jpeg .bmp, .npy, .npz, raw .bin, .wav, lists .txt)")});
  }

  Status add_array(io::Array array, size_t k, const std::string& where, unsigned kind,
                   const std::string& spec) {
    auto run = array_samples(std::move(array), impl_.inputs[k], options_.window, where);
    if (!run) return reject(where, run.error());
    impl_.feeds[k].add_run(std::move(*run), kind, spec);
    return {};
  }

  // An archive bound to input `k`: the member named after it, else the
  // only member (or the only one that fits).
  Status add_npz_bound(const fs::path& file, size_t k, const std::string& spec) {
    auto arrays = io::read_npz(file);
    if (!arrays) return reject(file.string(), arrays.error());
    auto member = bound_member(*arrays, file, k);
    if (!member) return reject(file.string(), member.error());
    return add_array(**member, k, member_where(file, **member), kArrays, spec);
  }

  Result<const io::Array*> bound_member(const std::vector<io::Array>& arrays, const fs::path& file,
                                        size_t k) const {
    const InputInfo& in = impl_.inputs[k];
    if (const io::Array* a = keyed_member(arrays, in, k)) return a;
    if (arrays.size() == 1) return &arrays[0];
    std::vector<const io::Array*> fitting;
    for (const auto& a : arrays) {
      if (check_array_fits(a.shape, a.dtype, in, options_.window, "")) fitting.push_back(&a);
    }
    if (fitting.size() == 1) return fitting[0];
    return fail(cat(file.string(), ": ", fitting.empty() ? "no array" : "more than one array",
                    " fits input '", in.name, "' and none is named after it (the archive holds ",
                    keys_text(arrays), ")"));
  }

  // An unbound archive in a model with several inputs: each member named
  // after an input feeds it. The file is taken whole or not at all.
  Status add_npz_by_keys(const fs::path& file, const std::string& spec) {
    auto arrays = io::read_npz(file);
    if (!arrays) return reject(file.string(), arrays.error());
    add_unique(npz_contents_, cat(file.string(), " holds ", keys_text(*arrays)));
    std::vector<std::pair<size_t, SampleRun>> runs;
    const std::string canon = canonical_text(file);
    bool named = false;
    for (size_t k = 0; k < impl_.inputs.size(); ++k) {
      const io::Array* member = keyed_member(*arrays, impl_.inputs[k], k);
      if (member == nullptr) continue;
      named = true;
      if (impl_.feeds[k].files.count(canon) != 0) {
        ++impl_.feeds[k].repeats;
        continue;
      }
      auto run = array_samples(*member, impl_.inputs[k], options_.window, member_where(file, *member));
      if (!run) return reject(file.string(), run.error());
      runs.emplace_back(k, std::move(*run));
    }
    if (!named) {
      return reject(file.string(),
                    Error{cat(file.string(), ": no array is named after an input (inputs: ",
                              names_text(impl_.inputs), "; the archive holds ", keys_text(*arrays), ")")});
    }
    for (auto& [k, run] : runs) {
      impl_.feeds[k].files.insert(canon);
      impl_.feeds[k].add_run(std::move(run), kArrays, spec);
    }
    return {};
  }

  static std::string member_where(const fs::path& file, const io::Array& member) {
    return cat(file.string(), ": '", member.name, "'");
  }

  // Images need the preprocessing settled for their input: once, and a
  // failure is fatal (it is not about one file).
  Status ensure_preprocess(size_t k) {
    Feed& feed = impl_.feeds[k];
    if (feed.image) return {};
    feed.image_input = image_input_of(impl_.inputs[k]);
    auto resolved = resolve(options_.image, feed.image_input);
    if (!resolved) return tl::unexpected(resolved.error());
    feed.image = std::move(*resolved);
    return {};
  }

  std::string no_data(size_t k) const {
    std::string s = cat("no data for input '", impl_.inputs[k].name, "'");
    for (const auto& c : npz_contents_) s += cat("; ", c);
    if (!impl_.skipped.empty()) s += cat(" (", impl_.skipped.size(), " skipped)");
    return s;
  }

  std::string disagreement(size_t k) const {
    const auto first = std::find_if(impl_.feeds.begin(), impl_.feeds.end(),
                                    [&](const Feed& f) { return f.count() == impl_.total; });
    const auto f = static_cast<size_t>(first - impl_.feeds.begin());
    return cat("inputs disagree on the number of samples: '", impl_.inputs[f].name, "' has ", impl_.total,
               ", '", impl_.inputs[k].name, "' has ", impl_.feeds[k].count(),
               " (an input given once is reused)");
  }

  SampleSet::Impl& impl_;
  const SourceOptions& options_;
  std::vector<std::string> npz_contents_;
};

std::string details_of(const Feed& f, size_t samples) {
  std::vector<std::string> parts;
  if (f.windows.size() == 1) {
    parts.push_back(f.windows[0]);
  } else if (!f.windows.empty()) {
    parts.push_back(cat("windows over ", f.windows.size(), " sources"));
  }
  parts.insert(parts.end(), f.conversions.begin(), f.conversions.end());
  if (f.zero_padded > 0)
    parts.push_back(cat(f.zero_padded, " clip", f.zero_padded == 1 ? "" : "s", " zero-padded"));
  if (f.tails_dropped > 0) {
    parts.push_back(cat(f.tails_dropped, " clip", f.tails_dropped == 1 ? "" : "s",
                        " with a partial last window dropped"));
  }
  if (f.repeats > 0) parts.push_back(cat(f.repeats, " repeated file", f.repeats == 1 ? "" : "s", " ignored"));
  if (f.count() > 1 && samples < f.count())
    parts.push_back(cat("first ", samples, " of ", f.count(), " samples"));
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

Status check_options(const SourceOptions& options) {
  if (options.window.size < 0) return fail(cat("window size ", options.window.size, " is negative"));
  if (options.window.size > 0 && options.window.hop < 1) {
    return fail(cat("window hop ", options.window.hop, " must be at least 1"));
  }
  return {};
}

}  // namespace

Result<SampleSet> SampleSet::open(std::vector<InputInfo> inputs, const std::vector<DataSpec>& data,
                                  const SourceOptions& options) {
  if (inputs.empty()) return fail("the model has no inputs to feed");
  if (data.empty()) return fail("no data given");
  if (auto st = check_options(options); !st) return tl::unexpected(st.error());
  auto impl = std::make_unique<Impl>();
  impl->inputs = std::move(inputs);
  impl->feeds.resize(impl->inputs.size());
  Opener opener(*impl, options);
  for (const DataSpec& spec : data) {
    if (auto st = opener.add_spec(spec); !st) return tl::unexpected(st.error());
  }
  if (auto st = opener.finish(); !st) return tl::unexpected(st.error());
  return SampleSet(std::move(impl));
}

SampleSet::SampleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SampleSet::SampleSet(SampleSet&&) noexcept = default;
SampleSet& SampleSet::operator=(SampleSet&&) noexcept = default;
SampleSet::~SampleSet() = default;

const std::vector<InputInfo>& SampleSet::inputs() const { return impl_->inputs; }

size_t SampleSet::size() const { return impl_->size; }

Result<std::vector<io::Array>> SampleSet::load(size_t i) const {
  if (i >= impl_->size) return fail(cat("sample ", i, " does not exist (the set holds ", impl_->size, ")"));
  std::vector<io::Array> out;
  out.reserve(impl_->feeds.size());
  for (size_t k = 0; k < impl_->feeds.size(); ++k) {
    const Feed& feed = impl_->feeds[k];
    const auto [source, j] = feed.locate(impl_->index_in(feed, i));
    if (const auto* run = std::get_if<SampleRun>(source)) {
      out.push_back(run->sample(j, impl_->inputs[k].name));
      continue;
    }
    auto image = decode_image(std::get<ImageFile>(*source).path);
    if (!image) return tl::unexpected(image.error());
    auto array = image_to_input(*image, *feed.image, feed.image_input);
    if (!array) return tl::unexpected(array.error());
    out.push_back(std::move(*array));
  }
  return out;
}

std::string SampleSet::describe(size_t i) const {
  if (i >= impl_->size) return cat("sample ", i, " (out of range)");
  const auto one = [&](const Feed& feed) {
    const auto [source, j] = feed.locate(impl_->index_in(feed, i));
    if (const auto* run = std::get_if<SampleRun>(source)) return run->describe(j);
    return std::get<ImageFile>(*source).path.string();
  };
  // The inputs that change from sample to sample tell samples apart.
  const bool any_varies =
      std::any_of(impl_->feeds.begin(), impl_->feeds.end(), [](const Feed& f) { return f.count() > 1; });
  std::string s;
  for (const Feed& feed : impl_->feeds) {
    if (any_varies && feed.count() == 1) continue;
    s += (s.empty() ? "" : "; ") + one(feed);
  }
  return s;
}

std::vector<InputSummary> SampleSet::summary() const {
  std::vector<InputSummary> out;
  for (size_t k = 0; k < impl_->feeds.size(); ++k) {
    const Feed& f = impl_->feeds[k];
    InputSummary s;
    s.input = impl_->inputs[k].name;
    s.sources = f.specs;
    s.kind = kind_name(f.kinds);
    s.samples = f.count() == 1 ? 1 : impl_->size;
    if ((f.kinds & kImages) != 0) s.image = f.image;
    s.details = details_of(f, s.samples);
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<Skipped>& SampleSet::skipped() const { return impl_->skipped; }

}  // namespace qs::calib
