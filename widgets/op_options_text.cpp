#include "widgets/op_options_text.h"

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/flexbuffers.h>

#include <array>
#include <charconv>
#include <type_traits>

#include "format/op_options.h"
#include "format/tensor_type.h"

namespace qs::widgets {

namespace {

// Value formatting -------------------------------------------------------------

// The shortest text that reads back as the same value: options are stored
// as float32, and more digits would invent precision.
template <class Float>
std::string float_text(Float value) {
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return std::to_string(value);
  return std::string(buffer.data(), end);
}

std::string enum_or_number(const char* name, long long value) {
  if (name != nullptr && *name != '\0') return name;
  return std::to_string(value);
}

std::string enum_text(tfl::Padding e) { return enum_or_number(tfl::EnumNamePadding(e), static_cast<long long>(e)); }
std::string enum_text(tfl::ActivationFunctionType e) {
  return enum_or_number(tfl::EnumNameActivationFunctionType(e), static_cast<long long>(e));
}
std::string enum_text(tfl::TensorType e) { return format::type_name(e); }
std::string enum_text(tfl::FullyConnectedOptionsWeightsFormat e) {
  return enum_or_number(tfl::EnumNameFullyConnectedOptionsWeightsFormat(e), static_cast<long long>(e));
}
std::string enum_text(tfl::LSTMKernelType e) {
  return enum_or_number(tfl::EnumNameLSTMKernelType(e), static_cast<long long>(e));
}
std::string enum_text(tfl::MirrorPadMode e) {
  return enum_or_number(tfl::EnumNameMirrorPadMode(e), static_cast<long long>(e));
}
std::string enum_text(tfl::CustomOptionsFormat e) {
  return enum_or_number(tfl::EnumNameCustomOptionsFormat(e), static_cast<long long>(e));
}
std::string enum_text(tfl::CombinerType e) {
  return enum_or_number(tfl::EnumNameCombinerType(e), static_cast<long long>(e));
}
std::string enum_text(tfl::LSHProjectionType e) {
  return enum_or_number(tfl::EnumNameLSHProjectionType(e), static_cast<long long>(e));
}
std::string enum_text(tfl::StablehloPrecisionConfig e) {
  return enum_or_number(tfl::EnumNameStablehloPrecisionConfig(e), static_cast<long long>(e));
}
std::string enum_text(tfl::StablehloComparisonDirection e) {
  // "STABLEHLO_COMPARISON_DIRECTION_GT" reads as "GT".
  std::string name = enum_or_number(tfl::EnumNameStablehloComparisonDirection(e), static_cast<long long>(e));
  constexpr std::string_view prefix = "STABLEHLO_COMPARISON_DIRECTION_";
  if (name.starts_with(prefix)) name.erase(0, prefix.size());
  return name;
}
std::string enum_text(tfl::StablehloComparisonType e) {
  std::string name = enum_or_number(tfl::EnumNameStablehloComparisonType(e), static_cast<long long>(e));
  constexpr std::string_view prefix = "STABLEHLO_COMPARISON_TYPE_";
  if (name.starts_with(prefix)) name.erase(0, prefix.size());
  return name;
}
std::string enum_text(tfl::RngAlgorithm e) {
  return enum_or_number(tfl::EnumNameRngAlgorithm(e), static_cast<long long>(e));
}
std::string enum_text(tfl::ReduceWindowFunction e) {
  return enum_or_number(tfl::EnumNameReduceWindowFunction(e), static_cast<long long>(e));
}

// Long lists (a reshape to rank 6 is fine; thousands of bucket boundaries
// are not) are cut after this many items.
constexpr size_t kMaxListItems = 32;

template <class T, class Format>
std::string list_text(const std::vector<T>& values, Format format) {
  std::string s = "[";
  for (size_t i = 0; i < values.size() && i < kMaxListItems; ++i) {
    if (i > 0) s += ", ";
    s += format(values[i]);
  }
  if (values.size() > kMaxListItems) s += ", … (" + std::to_string(values.size()) + " in all)";
  return s + "]";
}

bool refers_to_subgraphs(std::string_view name) {
  return name.find("subgraph") != std::string_view::npos || name == "called_computations";
}

// "5 (bits 0, 2)": strided-slice masks are bit sets over the dimensions.
std::string mask_text(int32_t mask) {
  std::string s = std::to_string(mask);
  if (mask <= 0) return s;
  std::string bits;
  for (int b = 0; b < 31; ++b) {
    if ((mask >> b) & 1) bits += (bits.empty() ? "" : ", ") + std::to_string(b);
  }
  return s + " (" + (bits.find(',') == std::string::npos ? "bit " : "bits ") + bits + ")";
}

class Fields {
 public:
  explicit Fields(std::vector<OptionField>& out) : out_(out) {}

  template <class T>
  void operator()(const char* name, const T& value) {
    OptionField field;
    field.name = name;
    field.value = text(name, value);
    if (refers_to_subgraphs(name)) field.subgraphs = indices(value);
    out_.push_back(std::move(field));
  }

 private:
  template <class T>
  static std::string text(std::string_view name, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      return value ? "true" : "false";
    } else if constexpr (std::is_enum_v<T>) {
      return enum_text(value);
    } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      return float_text(value);
    } else if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_same_v<T, int32_t>) {
        if (name.ends_with("_mask")) return mask_text(value);
      }
      return std::to_string(value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      return "\"" + value + "\"";
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      return value.empty() ? "(none)" : std::to_string(value.size()) + " bytes";
    } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
      std::vector<int> ints(value.begin(), value.end());
      return list_text(ints, [](int b) { return std::string(b != 0 ? "true" : "false"); });
    } else {
      // std::vector of numbers or enums.
      return list_text(value, [name](const auto& item) { return text(name, item); });
    }
  }

  template <class T>
  static std::vector<int32_t> indices(const T& value) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return {static_cast<int32_t>(value)};
    } else if constexpr (std::is_same_v<T, std::vector<int32_t>>) {
      return value;
    } else {
      return {};
    }
  }

  std::vector<OptionField>& out_;
};

// Every options table with fields, field by field in wire order. Generated
// once from the object-API structs of our schema and kept by hand since:
// when the schema grows, add the new table here (until then it shows as
// "(N fields, not decoded)").
#define QS_F(field) f(#field, o.field)

void fields(const tfl::Conv2DOptionsT& o, Fields& f) {
  QS_F(padding); QS_F(stride_w); QS_F(stride_h); QS_F(fused_activation_function); QS_F(dilation_w_factor); QS_F(dilation_h_factor); QS_F(quantized_bias_type);
}
void fields(const tfl::Conv3DOptionsT& o, Fields& f) {
  QS_F(padding); QS_F(stride_d); QS_F(stride_w); QS_F(stride_h); QS_F(fused_activation_function); QS_F(dilation_d_factor); QS_F(dilation_w_factor); QS_F(dilation_h_factor);
}
void fields(const tfl::Pool2DOptionsT& o, Fields& f) {
  QS_F(padding); QS_F(stride_w); QS_F(stride_h); QS_F(filter_width); QS_F(filter_height); QS_F(fused_activation_function);
}
void fields(const tfl::DepthwiseConv2DOptionsT& o, Fields& f) {
  QS_F(padding); QS_F(stride_w); QS_F(stride_h); QS_F(depth_multiplier); QS_F(fused_activation_function); QS_F(dilation_w_factor); QS_F(dilation_h_factor);
}
void fields(const tfl::TransposeConvOptionsT& o, Fields& f) {
  QS_F(padding); QS_F(stride_w); QS_F(stride_h); QS_F(fused_activation_function); QS_F(quantized_bias_type);
}
void fields(const tfl::FullyConnectedOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(weights_format); QS_F(keep_num_dims); QS_F(asymmetric_quantize_inputs); QS_F(quantized_bias_type);
}
void fields(const tfl::BatchMatMulOptionsT& o, Fields& f) {
  QS_F(adj_x); QS_F(adj_y); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::LSHProjectionOptionsT& o, Fields& f) {
  QS_F(type);
}
void fields(const tfl::SVDFOptionsT& o, Fields& f) {
  QS_F(rank); QS_F(fused_activation_function); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::RNNOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::SequenceRNNOptionsT& o, Fields& f) {
  QS_F(time_major); QS_F(fused_activation_function); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::BidirectionalSequenceRNNOptionsT& o, Fields& f) {
  QS_F(time_major); QS_F(fused_activation_function); QS_F(merge_outputs); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::LSTMOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(cell_clip); QS_F(proj_clip); QS_F(kernel_type); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::UnidirectionalSequenceLSTMOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(cell_clip); QS_F(proj_clip); QS_F(time_major); QS_F(asymmetric_quantize_inputs); QS_F(diagonal_recurrent_tensors);
}
void fields(const tfl::BidirectionalSequenceLSTMOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(cell_clip); QS_F(proj_clip); QS_F(merge_outputs); QS_F(time_major); QS_F(asymmetric_quantize_inputs);
}
void fields(const tfl::SoftmaxOptionsT& o, Fields& f) {
  QS_F(beta);
}
void fields(const tfl::ConcatEmbeddingsOptionsT& o, Fields& f) {
  QS_F(num_channels); QS_F(num_columns_per_channel); QS_F(embedding_dim_per_channel);
}
void fields(const tfl::ConcatenationOptionsT& o, Fields& f) {
  QS_F(axis); QS_F(fused_activation_function);
}
void fields(const tfl::AddOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(pot_scale_int16);
}
void fields(const tfl::MulOptionsT& o, Fields& f) {
  QS_F(fused_activation_function);
}
void fields(const tfl::L2NormOptionsT& o, Fields& f) {
  QS_F(fused_activation_function);
}
void fields(const tfl::LocalResponseNormalizationOptionsT& o, Fields& f) {
  QS_F(radius); QS_F(bias); QS_F(alpha); QS_F(beta);
}
void fields(const tfl::ResizeBilinearOptionsT& o, Fields& f) {
  QS_F(align_corners); QS_F(half_pixel_centers);
}
void fields(const tfl::ResizeNearestNeighborOptionsT& o, Fields& f) {
  QS_F(align_corners); QS_F(half_pixel_centers);
}
void fields(const tfl::CallOptionsT& o, Fields& f) {
  QS_F(subgraph);
}
void fields(const tfl::ReshapeOptionsT& o, Fields& f) {
  QS_F(new_shape);
}
void fields(const tfl::SkipGramOptionsT& o, Fields& f) {
  QS_F(ngram_size); QS_F(max_skip_size); QS_F(include_all_ngrams);
}
void fields(const tfl::SpaceToDepthOptionsT& o, Fields& f) {
  QS_F(block_size);
}
void fields(const tfl::DepthToSpaceOptionsT& o, Fields& f) {
  QS_F(block_size);
}
void fields(const tfl::SubOptionsT& o, Fields& f) {
  QS_F(fused_activation_function); QS_F(pot_scale_int16);
}
void fields(const tfl::DivOptionsT& o, Fields& f) {
  QS_F(fused_activation_function);
}
void fields(const tfl::EmbeddingLookupSparseOptionsT& o, Fields& f) {
  QS_F(combiner);
}
void fields(const tfl::GatherOptionsT& o, Fields& f) {
  QS_F(axis); QS_F(batch_dims);
}
void fields(const tfl::ReducerOptionsT& o, Fields& f) {
  QS_F(keep_dims);
}
void fields(const tfl::SqueezeOptionsT& o, Fields& f) {
  QS_F(squeeze_dims);
}
void fields(const tfl::SplitOptionsT& o, Fields& f) {
  QS_F(num_splits);
}
void fields(const tfl::SplitVOptionsT& o, Fields& f) {
  QS_F(num_splits);
}
void fields(const tfl::StridedSliceOptionsT& o, Fields& f) {
  QS_F(begin_mask); QS_F(end_mask); QS_F(ellipsis_mask); QS_F(new_axis_mask); QS_F(shrink_axis_mask); QS_F(offset);
}
void fields(const tfl::CastOptionsT& o, Fields& f) {
  QS_F(in_data_type); QS_F(out_data_type);
}
void fields(const tfl::ArgMaxOptionsT& o, Fields& f) {
  QS_F(output_type);
}
void fields(const tfl::ArgMinOptionsT& o, Fields& f) {
  QS_F(output_type);
}
void fields(const tfl::SparseToDenseOptionsT& o, Fields& f) {
  QS_F(validate_indices);
}
void fields(const tfl::ShapeOptionsT& o, Fields& f) {
  QS_F(out_type);
}
void fields(const tfl::FakeQuantOptionsT& o, Fields& f) {
  QS_F(min); QS_F(max); QS_F(num_bits); QS_F(narrow_range);
}
void fields(const tfl::PackOptionsT& o, Fields& f) {
  QS_F(values_count); QS_F(axis);
}
void fields(const tfl::OneHotOptionsT& o, Fields& f) {
  QS_F(axis);
}
void fields(const tfl::UnpackOptionsT& o, Fields& f) {
  QS_F(num); QS_F(axis);
}
void fields(const tfl::LeakyReluOptionsT& o, Fields& f) {
  QS_F(alpha);
}
void fields(const tfl::MirrorPadOptionsT& o, Fields& f) {
  QS_F(mode);
}
void fields(const tfl::UniqueOptionsT& o, Fields& f) {
  QS_F(idx_out_type);
}
void fields(const tfl::ReverseSequenceOptionsT& o, Fields& f) {
  QS_F(seq_dim); QS_F(batch_dim);
}
void fields(const tfl::IfOptionsT& o, Fields& f) {
  QS_F(then_subgraph_index); QS_F(else_subgraph_index);
}
void fields(const tfl::CallOnceOptionsT& o, Fields& f) {
  QS_F(init_subgraph_index);
}
void fields(const tfl::WhileOptionsT& o, Fields& f) {
  QS_F(cond_subgraph_index); QS_F(body_subgraph_index);
}
void fields(const tfl::CumsumOptionsT& o, Fields& f) {
  QS_F(exclusive); QS_F(reverse);
}
void fields(const tfl::HashtableOptionsT& o, Fields& f) {
  QS_F(table_id); QS_F(key_dtype); QS_F(value_dtype);
}
void fields(const tfl::VarHandleOptionsT& o, Fields& f) {
  QS_F(container); QS_F(shared_name);
}
void fields(const tfl::RandomOptionsT& o, Fields& f) {
  QS_F(seed); QS_F(seed2);
}
void fields(const tfl::BucketizeOptionsT& o, Fields& f) {
  QS_F(boundaries);
}
void fields(const tfl::GeluOptionsT& o, Fields& f) {
  QS_F(approximate);
}
void fields(const tfl::StablehloGatherOptionsT& o, Fields& f) {
  QS_F(offset_dims); QS_F(collapsed_slice_dims); QS_F(start_index_map); QS_F(index_vector_dim); QS_F(slice_sizes); QS_F(indices_are_sorted);
}
void fields(const tfl::StablehloTransposeOptionsT& o, Fields& f) {
  QS_F(permutation);
}
void fields(const tfl::StablehloDotGeneralOptionsT& o, Fields& f) {
  QS_F(lhs_batching_dimensions); QS_F(rhs_batching_dimensions); QS_F(lhs_contracting_dimensions); QS_F(rhs_contracting_dimensions); QS_F(precision_config);
}
void fields(const tfl::StablehloReduceWindowOptionsT& o, Fields& f) {
  QS_F(window_dimensions); QS_F(window_strides); QS_F(base_dilations); QS_F(window_dilations); QS_F(padding); QS_F(body_subgraph_index);
}
void fields(const tfl::StablehloWhileOptionsT& o, Fields& f) {
  QS_F(cond_subgraph_index); QS_F(body_subgraph_index);
}
void fields(const tfl::StablehloSortOptionsT& o, Fields& f) {
  QS_F(dimension); QS_F(is_stable); QS_F(comparator_subgraph_index);
}
void fields(const tfl::StablehloConcatenateOptionsT& o, Fields& f) {
  QS_F(dimension);
}
void fields(const tfl::StablehloBroadcastInDimOptionsT& o, Fields& f) {
  QS_F(broadcast_dimensions);
}
void fields(const tfl::StablehloCompareOptionsT& o, Fields& f) {
  QS_F(comparison_direction); QS_F(compare_type);
}
void fields(const tfl::StablehloDynamicSliceOptionsT& o, Fields& f) {
  QS_F(slice_sizes);
}
void fields(const tfl::StablehloPadOptionsT& o, Fields& f) {
  QS_F(edge_padding_low); QS_F(edge_padding_high); QS_F(interior_padding);
}
void fields(const tfl::StablehloIotaOptionsT& o, Fields& f) {
  QS_F(iota_dimension);
}
void fields(const tfl::StablehloCustomCallOptionsT& o, Fields& f) {
  QS_F(call_target_name); QS_F(has_side_effect); QS_F(backend_config); QS_F(api_version); QS_F(called_computations); QS_F(custom_attributes);
}
void fields(const tfl::StablehloReduceOptionsT& o, Fields& f) {
  QS_F(dimensions); QS_F(body_subgraph_index);
}
void fields(const tfl::StablehloSliceOptionsT& o, Fields& f) {
  QS_F(start_indices); QS_F(limit_indices); QS_F(strides);
}
void fields(const tfl::StablehloConvolutionOptionsT& o, Fields& f) {
  QS_F(window_strides); QS_F(padding); QS_F(lhs_dilation); QS_F(rhs_dilation); QS_F(window_reversal); QS_F(input_batch_dimension); QS_F(input_feature_dimension); QS_F(input_spatial_dimensions); QS_F(kernel_input_feature_dimension); QS_F(kernel_output_feature_dimension); QS_F(kernel_spatial_dimensions); QS_F(output_batch_dimension); QS_F(output_feature_dimension); QS_F(output_spatial_dimensions); QS_F(feature_group_count); QS_F(batch_group_count); QS_F(precision_config);
}
void fields(const tfl::StablehloScatterOptionsT& o, Fields& f) {
  QS_F(indices_are_sorted); QS_F(update_window_dims); QS_F(inserted_window_dims); QS_F(scatter_dims_to_operand_dims); QS_F(index_vector_dim); QS_F(unique_indices); QS_F(update_computation_subgraph_index);
}
void fields(const tfl::StablehloCaseOptionsT& o, Fields& f) {
  QS_F(branch_subgraph_indices);
}
void fields(const tfl::StablehloRngBitGeneratorOptionsT& o, Fields& f) {
  QS_F(algorithm);
}
void fields(const tfl::ReduceWindowOptionsT& o, Fields& f) {
  QS_F(reduce_function);
}
void fields(const tfl::StableHLOCompositeOptionsT& o, Fields& f) {
  QS_F(name); QS_F(decomposition_subgraph_index); QS_F(composite_attributes); QS_F(composite_attributes_format); QS_F(version);
}

#undef QS_F

template <class... Ts>
struct TypeList {};

using DecodedFirst = TypeList<
    tfl::Conv2DOptionsT,
    tfl::DepthwiseConv2DOptionsT,
    tfl::ConcatEmbeddingsOptionsT,
    tfl::LSHProjectionOptionsT,
    tfl::Pool2DOptionsT,
    tfl::SVDFOptionsT,
    tfl::RNNOptionsT,
    tfl::FullyConnectedOptionsT,
    tfl::SoftmaxOptionsT,
    tfl::ConcatenationOptionsT,
    tfl::AddOptionsT,
    tfl::L2NormOptionsT,
    tfl::LocalResponseNormalizationOptionsT,
    tfl::LSTMOptionsT,
    tfl::ResizeBilinearOptionsT,
    tfl::CallOptionsT,
    tfl::ReshapeOptionsT,
    tfl::SkipGramOptionsT,
    tfl::SpaceToDepthOptionsT,
    tfl::EmbeddingLookupSparseOptionsT,
    tfl::MulOptionsT,
    tfl::GatherOptionsT,
    tfl::ReducerOptionsT,
    tfl::SubOptionsT,
    tfl::DivOptionsT,
    tfl::SqueezeOptionsT,
    tfl::SequenceRNNOptionsT,
    tfl::StridedSliceOptionsT,
    tfl::SplitOptionsT,
    tfl::CastOptionsT,
    tfl::ArgMaxOptionsT,
    tfl::TransposeConvOptionsT,
    tfl::SparseToDenseOptionsT,
    tfl::ShapeOptionsT,
    tfl::ArgMinOptionsT,
    tfl::FakeQuantOptionsT,
    tfl::PackOptionsT,
    tfl::OneHotOptionsT,
    tfl::UnpackOptionsT,
    tfl::BidirectionalSequenceLSTMOptionsT,
    tfl::BidirectionalSequenceRNNOptionsT,
    tfl::UnidirectionalSequenceLSTMOptionsT,
    tfl::ResizeNearestNeighborOptionsT,
    tfl::LeakyReluOptionsT,
    tfl::MirrorPadOptionsT,
    tfl::SplitVOptionsT,
    tfl::UniqueOptionsT,
    tfl::ReverseSequenceOptionsT,
    tfl::IfOptionsT,
    tfl::WhileOptionsT,
    tfl::DepthToSpaceOptionsT,
    tfl::BatchMatMulOptionsT,
    tfl::CumsumOptionsT,
    tfl::CallOnceOptionsT,
    tfl::Conv3DOptionsT,
    tfl::HashtableOptionsT,
    tfl::VarHandleOptionsT,
    tfl::RandomOptionsT,
    tfl::BucketizeOptionsT,
    tfl::GeluOptionsT>;

using DecodedSecond = TypeList<
    tfl::StablehloConcatenateOptionsT,
    tfl::StablehloBroadcastInDimOptionsT,
    tfl::StablehloSliceOptionsT,
    tfl::StablehloConvolutionOptionsT,
    tfl::StablehloCustomCallOptionsT,
    tfl::StablehloReduceOptionsT,
    tfl::StablehloScatterOptionsT,
    tfl::StablehloCompareOptionsT,
    tfl::StablehloDynamicSliceOptionsT,
    tfl::StablehloPadOptionsT,
    tfl::StablehloIotaOptionsT,
    tfl::StablehloDotGeneralOptionsT,
    tfl::StablehloReduceWindowOptionsT,
    tfl::StablehloSortOptionsT,
    tfl::StablehloWhileOptionsT,
    tfl::StablehloGatherOptionsT,
    tfl::StablehloTransposeOptionsT,
    tfl::StablehloRngBitGeneratorOptionsT,
    tfl::ReduceWindowOptionsT,
    tfl::StableHLOCompositeOptionsT,
    tfl::StablehloCaseOptionsT>;

template <class Traits, class Union, class T>
bool decode_one(const Union& u, DecodedOptions& out) {
  if (u.type != Traits::template Of<T>() || u.value == nullptr) return false;
  Fields f(out.fields);
  fields(*static_cast<const T*>(u.value), f);
  out.decoded = true;
  return true;
}

struct FirstTraits {
  template <class T>
  static constexpr tfl::BuiltinOptions Of() { return tfl::BuiltinOptionsUnionTraits<T>::enum_value; }
};
struct SecondTraits {
  template <class T>
  static constexpr tfl::BuiltinOptions2 Of() { return tfl::BuiltinOptions2UnionTraits<T>::enum_value; }
};

template <class Traits, class Union, class... Ts>
bool decode_any(const Union& u, DecodedOptions& out, TypeList<Ts...>) {
  return (decode_one<Traits, Union, Ts>(u, out) || ...);
}

// How many fields of a union's table carry a value, whatever its type:
// serialise it with every scalar written out and count the vtable's
// non-empty slots (vectors and strings count when not empty).
template <class Union>
size_t packed_field_count(const Union& u) {
  if (u.value == nullptr) return 0;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.ForceDefaults(true);
  const auto offset = u.Pack(fbb);
  fbb.Finish(offset);
  const auto* table = flatbuffers::GetRoot<flatbuffers::Table>(fbb.GetBufferPointer());
  const uint8_t* vtable = table->GetVTable();
  const auto vtable_bytes = flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable);
  size_t count = 0;
  for (size_t at = 2 * sizeof(flatbuffers::voffset_t); at + sizeof(flatbuffers::voffset_t) <= vtable_bytes;
       at += sizeof(flatbuffers::voffset_t)) {
    if (flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + at) != 0) ++count;
  }
  return count;
}

template <class Traits, class Union, class List>
DecodedOptions decode_union(const Union& u, const char* type_name, List list) {
  DecodedOptions out;
  out.type = type_name != nullptr && *type_name != '\0'
                 ? type_name
                 : "options type " + std::to_string(static_cast<int>(u.type));
  if (!decode_any<Traits>(u, out, list)) out.field_count = packed_field_count(u);
  else out.field_count = out.fields.size();
  // A table without fields is fully described by saying so.
  if (!out.decoded && out.field_count == 0 && u.value != nullptr) out.decoded = true;
  return out;
}

// Slot names ---------------------------------------------------------------

using format::BuiltinOp;

// Inputs of LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM, as the kernels number them.
constexpr std::array<const char*, 24> kLstmInputs = {
    "input",
    "input_to_input_weights",
    "input_to_forget_weights",
    "input_to_cell_weights",
    "input_to_output_weights",
    "recurrent_to_input_weights",
    "recurrent_to_forget_weights",
    "recurrent_to_cell_weights",
    "recurrent_to_output_weights",
    "cell_to_input_weights",
    "cell_to_forget_weights",
    "cell_to_output_weights",
    "input_gate_bias",
    "forget_gate_bias",
    "cell_gate_bias",
    "output_gate_bias",
    "projection_weights",
    "projection_bias",
    "output_state",
    "cell_state",
    "input_layer_norm_coefficients",
    "forget_layer_norm_coefficients",
    "cell_layer_norm_coefficients",
    "output_layer_norm_coefficients",
};

struct Slots {
  std::vector<const char*> names;
  // When set, every slot from the last name on repeats it: "values[i]".
  bool variadic = false;
};

Slots input_slots(BuiltinOp op) {
  switch (op) {
    case BuiltinOp::CONV_2D:
    case BuiltinOp::DEPTHWISE_CONV_2D:
    case BuiltinOp::CONV_3D:
      return {{"input", "filter", "bias"}};
    case BuiltinOp::TRANSPOSE_CONV:
      return {{"output_shape", "weights", "input", "bias"}};
    case BuiltinOp::CONV_3D_TRANSPOSE:
      return {{"output_shape", "filter", "input", "bias"}};
    case BuiltinOp::FULLY_CONNECTED:
      return {{"input", "weights", "bias"}};
    case BuiltinOp::BATCH_MATMUL:
      return {{"x", "y"}};
    case BuiltinOp::ADD:
    case BuiltinOp::SUB:
    case BuiltinOp::MUL:
    case BuiltinOp::DIV:
    case BuiltinOp::MAXIMUM:
    case BuiltinOp::MINIMUM:
    case BuiltinOp::POW:
    case BuiltinOp::SQUARED_DIFFERENCE:
    case BuiltinOp::FLOOR_DIV:
    case BuiltinOp::FLOOR_MOD:
    case BuiltinOp::EQUAL:
    case BuiltinOp::NOT_EQUAL:
    case BuiltinOp::LESS:
    case BuiltinOp::LESS_EQUAL:
    case BuiltinOp::GREATER:
    case BuiltinOp::GREATER_EQUAL:
    case BuiltinOp::LOGICAL_AND:
    case BuiltinOp::LOGICAL_OR:
    case BuiltinOp::ATAN2:
    case BuiltinOp::BITWISE_XOR:
    case BuiltinOp::RIGHT_SHIFT:
      return {{"x", "y"}};
    case BuiltinOp::CONCATENATION:
    case BuiltinOp::PACK:
    case BuiltinOp::ADD_N:
      return {{"values"}, true};
    case BuiltinOp::RESHAPE:
      return {{"tensor", "shape"}};
    case BuiltinOp::STRIDED_SLICE:
      return {{"input", "begin", "end", "strides"}};
    case BuiltinOp::SLICE:
      return {{"input", "begin", "size"}};
    case BuiltinOp::GATHER:
    case BuiltinOp::GATHER_ND:
      return {{"params", "indices"}};
    case BuiltinOp::PAD:
    case BuiltinOp::MIRROR_PAD:
      return {{"input", "paddings"}};
    case BuiltinOp::PADV2:
      return {{"input", "paddings", "constant_values"}};
    case BuiltinOp::TRANSPOSE:
      return {{"input", "perm"}};
    case BuiltinOp::MEAN:
    case BuiltinOp::SUM:
    case BuiltinOp::REDUCE_MAX:
    case BuiltinOp::REDUCE_MIN:
    case BuiltinOp::REDUCE_PROD:
    case BuiltinOp::REDUCE_ANY:
    case BuiltinOp::REDUCE_ALL:
    case BuiltinOp::ARG_MAX:
    case BuiltinOp::ARG_MIN:
    case BuiltinOp::EXPAND_DIMS:
    case BuiltinOp::CUMSUM:
      return {{"input", "axis"}};
    case BuiltinOp::SPLIT:
      return {{"axis", "input"}};
    case BuiltinOp::SPLIT_V:
      return {{"input", "size_splits", "axis"}};
    case BuiltinOp::RESIZE_BILINEAR:
    case BuiltinOp::RESIZE_NEAREST_NEIGHBOR:
      return {{"input", "size"}};
    case BuiltinOp::TILE:
      return {{"input", "multiples"}};
    case BuiltinOp::BROADCAST_TO:
      return {{"input", "shape"}};
    case BuiltinOp::FILL:
      return {{"dims", "value"}};
    case BuiltinOp::PRELU:
      return {{"input", "alpha"}};
    case BuiltinOp::SELECT:
    case BuiltinOp::SELECT_V2:
      return {{"condition", "x", "y"}};
    case BuiltinOp::SPACE_TO_BATCH_ND:
      return {{"input", "block_shape", "paddings"}};
    case BuiltinOp::BATCH_TO_SPACE_ND:
      return {{"input", "block_shape", "crops"}};
    case BuiltinOp::DYNAMIC_UPDATE_SLICE:
      return {{"operand", "update", "start_indices"}};
    case BuiltinOp::EMBEDDING_LOOKUP:
      return {{"ids", "value"}};
    case BuiltinOp::TOPK_V2:
      return {{"input", "k"}};
    case BuiltinOp::RANGE:
      return {{"start", "limit", "delta"}};
    case BuiltinOp::ONE_HOT:
      return {{"indices", "depth", "on_value", "off_value"}};
    case BuiltinOp::SCATTER_ND:
      return {{"indices", "updates", "shape"}};
    case BuiltinOp::WHERE:
      return {{"condition"}};
    case BuiltinOp::SVDF:
      return {{"input", "weights_feature", "weights_time", "bias", "activation_state"}};
    case BuiltinOp::RNN:
      return {{"input", "weights", "recurrent_weights", "bias", "hidden_state"}};
    case BuiltinOp::LSTM:
    case BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM:
      return {{kLstmInputs.begin(), kLstmInputs.end()}};
    case BuiltinOp::IF:
      return {{"cond", "input"}, true};
    case BuiltinOp::WHILE:
    case BuiltinOp::CALL_ONCE:
    case BuiltinOp::CUSTOM:
      return {{"input"}, true};
    case BuiltinOp::QUANTIZE:
    case BuiltinOp::DEQUANTIZE:
    case BuiltinOp::SOFTMAX:
    case BuiltinOp::LOG_SOFTMAX:
    case BuiltinOp::LOGISTIC:
    case BuiltinOp::TANH:
    case BuiltinOp::RELU:
    case BuiltinOp::RELU6:
    case BuiltinOp::RELU_N1_TO_1:
    case BuiltinOp::RELU_0_TO_1:
    case BuiltinOp::LEAKY_RELU:
    case BuiltinOp::HARD_SWISH:
    case BuiltinOp::GELU:
    case BuiltinOp::ELU:
    case BuiltinOp::AVERAGE_POOL_2D:
    case BuiltinOp::MAX_POOL_2D:
    case BuiltinOp::L2_POOL_2D:
    case BuiltinOp::L2_NORMALIZATION:
    case BuiltinOp::LOCAL_RESPONSE_NORMALIZATION:
    case BuiltinOp::CAST:
    case BuiltinOp::SHAPE:
    case BuiltinOp::RANK:
    case BuiltinOp::SQUEEZE:
    case BuiltinOp::UNPACK:
    case BuiltinOp::ABS:
    case BuiltinOp::NEG:
    case BuiltinOp::EXP:
    case BuiltinOp::LOG:
    case BuiltinOp::SQRT:
    case BuiltinOp::RSQRT:
    case BuiltinOp::SQUARE:
    case BuiltinOp::SIN:
    case BuiltinOp::COS:
    case BuiltinOp::FLOOR:
    case BuiltinOp::CEIL:
    case BuiltinOp::ROUND:
    case BuiltinOp::SIGN:
    case BuiltinOp::LOGICAL_NOT:
    case BuiltinOp::ZEROS_LIKE:
    case BuiltinOp::SPACE_TO_DEPTH:
    case BuiltinOp::DEPTH_TO_SPACE:
    case BuiltinOp::UNIQUE:
      return {{"input"}};
    default:
      return {};
  }
}

Slots output_slots(BuiltinOp op) {
  switch (op) {
    case BuiltinOp::SPLIT:
    case BuiltinOp::SPLIT_V:
    case BuiltinOp::UNPACK:
    case BuiltinOp::WHILE:
    case BuiltinOp::IF:
    case BuiltinOp::CUSTOM:
      return {{"output"}, true};
    case BuiltinOp::TOPK_V2:
      return {{"values", "indices"}};
    case BuiltinOp::UNIQUE:
      return {{"output", "idx"}};
    default:
      return {{"output"}};
  }
}

std::string slot_name(const Slots& slots, size_t slot, size_t count, const char* fallback) {
  if (slots.variadic && !slots.names.empty() && slot + 1 >= slots.names.size()) {
    const size_t first = slots.names.size() - 1;
    // A variadic slot that happens to be used once reads as a plain name.
    if (count == slots.names.size()) return slots.names.back();
    return std::string(slots.names.back()) + "[" + std::to_string(slot - first) + "]";
  }
  if (slot < slots.names.size()) return slots.names[slot];
  return std::string(fallback) + " " + std::to_string(slot);
}

}  // namespace

std::string DecodedOptions::summary() const {
  if (type.empty()) return {};
  if (decoded && fields.empty()) return type + " (no fields)";
  if (!decoded) return type + " (" + std::to_string(field_count) + (field_count == 1 ? " field" : " fields") +
                       ", not decoded)";
  return type;
}

DecodedOptions decode_options(const format::Operator& op) {
  DecodedOptions first, second;
  if (const auto* u = op.options.first(); u != nullptr && u->type != tfl::BuiltinOptions::NONE)
    first = decode_union<FirstTraits>(*u, tfl::EnumNameBuiltinOptions(u->type), DecodedFirst{});
  if (const auto* u = op.options.second(); u != nullptr && u->type != tfl::BuiltinOptions2::NONE)
    second = decode_union<SecondTraits>(*u, tfl::EnumNameBuiltinOptions2(u->type), DecodedSecond{});
  if (second.type.empty()) return first;
  if (first.type.empty()) return second;
  first.type += " + " + second.type;
  first.decoded = first.decoded && second.decoded;
  first.field_count += second.field_count;
  for (auto& f : second.fields) first.fields.push_back(std::move(f));
  return first;
}

std::string option_value(const format::Operator& op, const std::string& name) {
  for (const auto& field : decode_options(op).fields)
    if (field.name == name) return field.value;
  return {};
}

std::string fused_activation(const format::Operator& op) {
  std::string value = option_value(op, "fused_activation_function");
  return value == "NONE" ? std::string() : value;
}

std::vector<OptionField> decode_custom_options(const format::Operator& op) {
  std::vector<OptionField> out;
  const auto bytes = op.custom_options.span();
  if (bytes.empty() || op.custom_options_format != 0) return out;
  if (!flexbuffers::VerifyBuffer(bytes.data(), bytes.size())) return out;
  const auto root = flexbuffers::GetRoot(bytes.data(), bytes.size());
  constexpr size_t kMaxText = 240;
  const auto text = [](const flexbuffers::Reference& r) {
    std::string s;
    if (r.IsBlob()) {
      s = std::to_string(r.AsBlob().size()) + " bytes";
    } else {
      r.ToString(true, false, s);
    }
    if (s.size() > kMaxText) s = s.substr(0, kMaxText) + "…";
    return s;
  };
  if (root.IsMap()) {
    const auto map = root.AsMap();
    const auto keys = map.Keys();
    const auto values = map.Values();
    for (size_t i = 0; i < keys.size(); ++i) {
      OptionField field;
      field.name = keys[i].AsKey();
      field.value = text(values[i]);
      out.push_back(std::move(field));
    }
  } else {
    out.push_back(OptionField{"value", text(root), {}});
  }
  return out;
}

std::string input_slot_name(format::BuiltinOp op, size_t slot, size_t count) {
  return slot_name(input_slots(op), slot, count, "input");
}

std::string output_slot_name(format::BuiltinOp op, size_t slot, size_t count) {
  return slot_name(output_slots(op), slot, count, "output");
}

std::string op_display_name(const format::OpCode& code) {
  if (code.builtin == format::BuiltinOp::CUSTOM) return "CUSTOM:" + code.custom_code;
  return format::op_name(code.builtin);
}

}  // namespace qs::widgets
