#include "widgets/graph_style.h"

#include <QApplication>
#include <QStringList>

#include <array>

#include "format/op_options.h"

namespace qs::widgets {

using format::BuiltinOp;

OpCategory opCategory(BuiltinOp op) {
  switch (op) {
    case BuiltinOp::CONV_2D:
    case BuiltinOp::DEPTHWISE_CONV_2D:
    case BuiltinOp::FULLY_CONNECTED:
    case BuiltinOp::TRANSPOSE_CONV:
    case BuiltinOp::BATCH_MATMUL:
    case BuiltinOp::CONV_3D:
    case BuiltinOp::CONV_3D_TRANSPOSE:
    case BuiltinOp::EMBEDDING_LOOKUP:
    case BuiltinOp::EMBEDDING_LOOKUP_SPARSE:
    case BuiltinOp::STABLEHLO_CONVOLUTION:
    case BuiltinOp::STABLEHLO_DOT_GENERAL:
      return OpCategory::Linear;

    case BuiltinOp::RELU:
    case BuiltinOp::RELU6:
    case BuiltinOp::RELU_N1_TO_1:
    case BuiltinOp::RELU_0_TO_1:
    case BuiltinOp::LOGISTIC:
    case BuiltinOp::TANH:
    case BuiltinOp::HARD_SWISH:
    case BuiltinOp::GELU:
    case BuiltinOp::LEAKY_RELU:
    case BuiltinOp::PRELU:
    case BuiltinOp::ELU:
    case BuiltinOp::SOFTMAX:
    case BuiltinOp::LOG_SOFTMAX:
    case BuiltinOp::STABLEHLO_LOGISTIC:
    case BuiltinOp::STABLEHLO_TANH:
      return OpCategory::Activation;

    case BuiltinOp::ADD:
    case BuiltinOp::ADD_N:
    case BuiltinOp::SUB:
    case BuiltinOp::MUL:
    case BuiltinOp::DIV:
    case BuiltinOp::POW:
    case BuiltinOp::MAXIMUM:
    case BuiltinOp::MINIMUM:
    case BuiltinOp::SQUARED_DIFFERENCE:
    case BuiltinOp::FLOOR_DIV:
    case BuiltinOp::FLOOR_MOD:
    case BuiltinOp::NEG:
    case BuiltinOp::ABS:
    case BuiltinOp::SIGN:
    case BuiltinOp::EXP:
    case BuiltinOp::LOG:
    case BuiltinOp::SQRT:
    case BuiltinOp::RSQRT:
    case BuiltinOp::SQUARE:
    case BuiltinOp::SIN:
    case BuiltinOp::COS:
    case BuiltinOp::ATAN2:
    case BuiltinOp::FLOOR:
    case BuiltinOp::CEIL:
    case BuiltinOp::ROUND:
    case BuiltinOp::LESS:
    case BuiltinOp::LESS_EQUAL:
    case BuiltinOp::GREATER:
    case BuiltinOp::GREATER_EQUAL:
    case BuiltinOp::EQUAL:
    case BuiltinOp::NOT_EQUAL:
    case BuiltinOp::LOGICAL_AND:
    case BuiltinOp::LOGICAL_OR:
    case BuiltinOp::LOGICAL_NOT:
    case BuiltinOp::BITWISE_XOR:
    case BuiltinOp::RIGHT_SHIFT:
    case BuiltinOp::SELECT:
    case BuiltinOp::SELECT_V2:
    case BuiltinOp::CUMSUM:
    case BuiltinOp::STABLEHLO_ADD:
    case BuiltinOp::STABLEHLO_DIVIDE:
    case BuiltinOp::STABLEHLO_MULTIPLY:
    case BuiltinOp::STABLEHLO_MAXIMUM:
    case BuiltinOp::STABLEHLO_MINIMUM:
    case BuiltinOp::STABLEHLO_SUBTRACT:
    case BuiltinOp::STABLEHLO_ABS:
    case BuiltinOp::STABLEHLO_AND:
    case BuiltinOp::STABLEHLO_OR:
    case BuiltinOp::STABLEHLO_COSINE:
    case BuiltinOp::STABLEHLO_EXPONENTIAL:
    case BuiltinOp::STABLEHLO_FLOOR:
    case BuiltinOp::STABLEHLO_LOG:
    case BuiltinOp::STABLEHLO_NEGATE:
    case BuiltinOp::STABLEHLO_POWER:
    case BuiltinOp::STABLEHLO_REMAINDER:
    case BuiltinOp::STABLEHLO_RSQRT:
    case BuiltinOp::STABLEHLO_SELECT:
    case BuiltinOp::STABLEHLO_CLAMP:
    case BuiltinOp::STABLEHLO_COMPARE:
    case BuiltinOp::STABLEHLO_SHIFT_LEFT:
    case BuiltinOp::STABLEHLO_CBRT:
      return OpCategory::Elementwise;

    case BuiltinOp::AVERAGE_POOL_2D:
    case BuiltinOp::MAX_POOL_2D:
    case BuiltinOp::L2_POOL_2D:
    case BuiltinOp::MEAN:
    case BuiltinOp::SUM:
    case BuiltinOp::REDUCE_MAX:
    case BuiltinOp::REDUCE_MIN:
    case BuiltinOp::REDUCE_PROD:
    case BuiltinOp::REDUCE_ANY:
    case BuiltinOp::REDUCE_ALL:
    case BuiltinOp::REDUCE_WINDOW:
    case BuiltinOp::ARG_MAX:
    case BuiltinOp::ARG_MIN:
    case BuiltinOp::SEGMENT_SUM:
    case BuiltinOp::UNSORTED_SEGMENT_SUM:
    case BuiltinOp::UNSORTED_SEGMENT_PROD:
    case BuiltinOp::UNSORTED_SEGMENT_MAX:
    case BuiltinOp::UNSORTED_SEGMENT_MIN:
    case BuiltinOp::L2_NORMALIZATION:
    case BuiltinOp::LOCAL_RESPONSE_NORMALIZATION:
    case BuiltinOp::STABLEHLO_REDUCE:
    case BuiltinOp::STABLEHLO_REDUCE_WINDOW:
      return OpCategory::Pooling;

    case BuiltinOp::RESHAPE:
    case BuiltinOp::TRANSPOSE:
    case BuiltinOp::SQUEEZE:
    case BuiltinOp::EXPAND_DIMS:
    case BuiltinOp::CONCATENATION:
    case BuiltinOp::SPLIT:
    case BuiltinOp::SPLIT_V:
    case BuiltinOp::PACK:
    case BuiltinOp::UNPACK:
    case BuiltinOp::STRIDED_SLICE:
    case BuiltinOp::SLICE:
    case BuiltinOp::GATHER:
    case BuiltinOp::GATHER_ND:
    case BuiltinOp::SCATTER_ND:
    case BuiltinOp::PAD:
    case BuiltinOp::PADV2:
    case BuiltinOp::MIRROR_PAD:
    case BuiltinOp::TILE:
    case BuiltinOp::BROADCAST_TO:
    case BuiltinOp::BROADCAST_ARGS:
    case BuiltinOp::SHAPE:
    case BuiltinOp::RANK:
    case BuiltinOp::CAST:
    case BuiltinOp::BITCAST:
    case BuiltinOp::FILL:
    case BuiltinOp::ZEROS_LIKE:
    case BuiltinOp::RANGE:
    case BuiltinOp::ONE_HOT:
    case BuiltinOp::REVERSE_V2:
    case BuiltinOp::REVERSE_SEQUENCE:
    case BuiltinOp::DEPTH_TO_SPACE:
    case BuiltinOp::SPACE_TO_DEPTH:
    case BuiltinOp::BATCH_TO_SPACE_ND:
    case BuiltinOp::SPACE_TO_BATCH_ND:
    case BuiltinOp::RESIZE_BILINEAR:
    case BuiltinOp::RESIZE_NEAREST_NEIGHBOR:
    case BuiltinOp::DYNAMIC_UPDATE_SLICE:
    case BuiltinOp::MATRIX_DIAG:
    case BuiltinOp::MATRIX_SET_DIAG:
    case BuiltinOp::SPARSE_TO_DENSE:
    case BuiltinOp::DENSIFY:
    case BuiltinOp::WHERE:
    case BuiltinOp::UNIQUE:
    case BuiltinOp::TOPK_V2:
    case BuiltinOp::DILATE:
    case BuiltinOp::STABLEHLO_RESHAPE:
    case BuiltinOp::STABLEHLO_CONCATENATE:
    case BuiltinOp::STABLEHLO_BROADCAST_IN_DIM:
    case BuiltinOp::STABLEHLO_SLICE:
    case BuiltinOp::STABLEHLO_SCATTER:
    case BuiltinOp::STABLEHLO_CONVERT:
    case BuiltinOp::STABLEHLO_DYNAMIC_SLICE:
    case BuiltinOp::STABLEHLO_DYNAMIC_UPDATE_SLICE:
    case BuiltinOp::STABLEHLO_PAD:
    case BuiltinOp::STABLEHLO_IOTA:
    case BuiltinOp::STABLEHLO_GATHER:
    case BuiltinOp::STABLEHLO_TRANSPOSE:
    case BuiltinOp::STABLEHLO_SORT:
      return OpCategory::Shape;

    case BuiltinOp::QUANTIZE:
    case BuiltinOp::DEQUANTIZE:
    case BuiltinOp::FAKE_QUANT:
      return OpCategory::Quantization;

    case BuiltinOp::WHILE:
    case BuiltinOp::IF:
    case BuiltinOp::CALL_ONCE:
    case BuiltinOp::CALL:
    case BuiltinOp::DELEGATE:
    case BuiltinOp::STABLEHLO_COMPOSITE:
    case BuiltinOp::STABLEHLO_WHILE:
    case BuiltinOp::STABLEHLO_CASE:
    case BuiltinOp::STABLEHLO_CUSTOM_CALL:
    case BuiltinOp::VAR_HANDLE:
    case BuiltinOp::READ_VARIABLE:
    case BuiltinOp::ASSIGN_VARIABLE:
      return OpCategory::ControlFlow;

    case BuiltinOp::LSTM:
    case BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM:
    case BuiltinOp::BIDIRECTIONAL_SEQUENCE_LSTM:
    case BuiltinOp::RNN:
    case BuiltinOp::UNIDIRECTIONAL_SEQUENCE_RNN:
    case BuiltinOp::BIDIRECTIONAL_SEQUENCE_RNN:
    case BuiltinOp::SVDF:
      return OpCategory::Recurrent;

    case BuiltinOp::CUSTOM:
      return OpCategory::Custom;

    default:
      return OpCategory::Other;
  }
}

QString opCategoryName(OpCategory category) {
  switch (category) {
    case OpCategory::Linear:
      return QStringLiteral("Convolution / linear");
    case OpCategory::Activation:
      return QStringLiteral("Activation");
    case OpCategory::Elementwise:
      return QStringLiteral("Element-wise");
    case OpCategory::Pooling:
      return QStringLiteral("Pooling / reduction");
    case OpCategory::Shape:
      return QStringLiteral("Shape / layout");
    case OpCategory::Quantization:
      return QStringLiteral("Quantization");
    case OpCategory::ControlFlow:
      return QStringLiteral("Control flow");
    case OpCategory::Recurrent:
      return QStringLiteral("Recurrent");
    case OpCategory::Custom:
      return QStringLiteral("Custom");
    case OpCategory::Other:
      return QStringLiteral("Other");
  }
  return QStringLiteral("Other");
}

const CategoryColors& categoryColors(OpCategory category) {
  // Muted title bands with dark text: distinct hues so the kind of a block
  // reads at a glance, none loud enough to dominate a screen full of them.
  // `accent` is the same hue darker, for borders and zoomed-out blocks.
  static const std::array<CategoryColors, kOpCategoryCount> colors = {{
      {QColor(0xD3, 0xE3, 0xF6), QColor(0x4C, 0x7B, 0xB4), QColor(0x17, 0x33, 0x57)},  // Linear: blue
      {QColor(0xF6, 0xD9, 0xD4), QColor(0xB8, 0x5A, 0x4E), QColor(0x5C, 0x1F, 0x18)},  // Activation: brick
      {QColor(0xE3, 0xE0, 0xF6), QColor(0x74, 0x69, 0xB8), QColor(0x2F, 0x27, 0x63)},  // Elementwise: lilac
      {QColor(0xD5, 0xEC, 0xDA), QColor(0x4D, 0x93, 0x61), QColor(0x1B, 0x45, 0x27)},  // Pooling: green
      {QColor(0xF2, 0xE6, 0xD0), QColor(0xA8, 0x80, 0x44), QColor(0x4E, 0x37, 0x13)},  // Shape: sand
      {QColor(0xD1, 0xEC, 0xEB), QColor(0x3C, 0x8F, 0x8C), QColor(0x12, 0x44, 0x42)},  // Quantization: teal
      {QColor(0xE1, 0xE3, 0xE7), QColor(0x6A, 0x72, 0x7E), QColor(0x25, 0x2B, 0x33)},  // Control flow: slate
      {QColor(0xF4, 0xDA, 0xEA), QColor(0xA4, 0x55, 0x8A), QColor(0x4D, 0x1A, 0x3D)},  // Recurrent: plum
      {QColor(0xFA, 0xEE, 0xC4), QColor(0xB8, 0x92, 0x1F), QColor(0x4F, 0x3D, 0x05)},  // Custom: yellow
      {QColor(0xEB, 0xED, 0xF0), QColor(0x84, 0x8C, 0x98), QColor(0x2B, 0x31, 0x38)},  // Other: grey
  }};
  return colors[static_cast<size_t>(category)];
}

const GraphPalette& graphPalette() {
  static const GraphPalette palette;
  return palette;
}

GraphFonts makeGraphFonts() {
  GraphFonts fonts;
  const QFont base = QApplication::font();
  fonts.title = base;
  fonts.title.setPixelSize(12);
  fonts.title.setWeight(QFont::DemiBold);
  fonts.detail = base;
  fonts.detail.setPixelSize(11);
  fonts.tag = base;
  fonts.tag.setPixelSize(9);
  fonts.tag.setWeight(QFont::DemiBold);
  fonts.edgeLabel = base;
  fonts.edgeLabel.setPixelSize(10);
  // Shapes are digits: make them line up from one line to the next.
  for (QFont* font : {&fonts.title, &fonts.detail, &fonts.tag, &fonts.edgeLabel}) {
    font->setHintingPreference(QFont::PreferVerticalHinting);
    font->setKerning(true);
  }
  return fonts;
}

QString shapeText(const format::Tensor& tensor) {
  // Old converters leave has_rank unset on scalars too: empty is a scalar.
  if (tensor.shape.empty()) return QStringLiteral("scalar");
  const bool signature = tensor.shape_signature.size() == tensor.shape.size();
  QString text;
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i > 0) text += QChar(0x00D7);  // ×
    const int32_t dim = signature && tensor.shape_signature[i] < 0 ? -1 : tensor.shape[i];
    text += dim < 0 ? QStringLiteral("?") : QString::number(dim);
  }
  return text;
}

QString typeText(format::TensorType type) {
  return QString::fromStdString(format::type_name(type)).toLower();
}

QString tensorSummary(const format::Tensor& tensor) {
  return shapeText(tensor) + QLatin1Char(' ') + typeText(tensor.type);
}

namespace {

// Input names from the TFLite op definitions, for the ops whose constant
// inputs are worth naming.
std::span<const char* const> inputRoles(BuiltinOp op) {
  static constexpr const char* kConv[] = {"input", "filter", "bias"};
  static constexpr const char* kFc[] = {"input", "weights", "bias"};
  static constexpr const char* kTransposeConv[] = {"output_shape", "weights", "input", "bias"};
  static constexpr const char* kBinary[] = {"x", "y"};
  static constexpr const char* kReshape[] = {"input", "shape"};
  static constexpr const char* kTranspose[] = {"input", "perm"};
  static constexpr const char* kPad[] = {"input", "paddings", "value"};
  static constexpr const char* kAxis[] = {"input", "axis"};
  static constexpr const char* kStridedSlice[] = {"input", "begin", "end", "strides"};
  static constexpr const char* kSlice[] = {"input", "begin", "size"};
  static constexpr const char* kGather[] = {"params", "indices"};
  static constexpr const char* kSplit[] = {"axis", "input"};
  static constexpr const char* kSplitV[] = {"input", "size_splits", "axis"};
  static constexpr const char* kPrelu[] = {"input", "alpha"};
  static constexpr const char* kResize[] = {"input", "size"};
  static constexpr const char* kTile[] = {"input", "multiples"};
  static constexpr const char* kBroadcast[] = {"input", "shape"};
  static constexpr const char* kEmbedding[] = {"ids", "params"};
  static constexpr const char* kSelect[] = {"condition", "x", "y"};
  static constexpr const char* kFill[] = {"dims", "value"};
  static constexpr const char* kDynamicUpdate[] = {"operand", "update", "indices"};
  static constexpr const char* kSpaceBatch[] = {"input", "block_shape", "crops"};
  static constexpr const char* kSvdf[] = {"input", "feature_weights", "time_weights", "bias", "state"};
  static constexpr const char* kLstm[] = {
      "input",           "in→in weights",    "in→forget weights",   "in→cell weights",
      "in→out weights",  "rec→in weights",   "rec→forget weights",  "rec→cell weights",
      "rec→out weights", "cell→in weights",  "cell→forget weights", "cell→out weights",
      "in gate bias",    "forget gate bias", "cell bias",           "out gate bias",
      "projection",      "projection bias",  "output state",        "cell state",
      "in norm",         "forget norm",      "cell norm",           "out norm"};
  switch (op) {
    case BuiltinOp::CONV_2D:
    case BuiltinOp::DEPTHWISE_CONV_2D:
    case BuiltinOp::CONV_3D:
      return kConv;
    case BuiltinOp::FULLY_CONNECTED:
      return kFc;
    case BuiltinOp::TRANSPOSE_CONV:
    case BuiltinOp::CONV_3D_TRANSPOSE:
      return kTransposeConv;
    case BuiltinOp::ADD:
    case BuiltinOp::SUB:
    case BuiltinOp::MUL:
    case BuiltinOp::DIV:
    case BuiltinOp::POW:
    case BuiltinOp::MAXIMUM:
    case BuiltinOp::MINIMUM:
    case BuiltinOp::SQUARED_DIFFERENCE:
    case BuiltinOp::FLOOR_DIV:
    case BuiltinOp::FLOOR_MOD:
    case BuiltinOp::LESS:
    case BuiltinOp::LESS_EQUAL:
    case BuiltinOp::GREATER:
    case BuiltinOp::GREATER_EQUAL:
    case BuiltinOp::EQUAL:
    case BuiltinOp::NOT_EQUAL:
    case BuiltinOp::BATCH_MATMUL:
    case BuiltinOp::ATAN2:
      return kBinary;
    case BuiltinOp::RESHAPE:
      return kReshape;
    case BuiltinOp::TRANSPOSE:
      return kTranspose;
    case BuiltinOp::PAD:
    case BuiltinOp::PADV2:
    case BuiltinOp::MIRROR_PAD:
      return kPad;
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
    case BuiltinOp::REVERSE_V2:
      return kAxis;
    case BuiltinOp::STRIDED_SLICE:
      return kStridedSlice;
    case BuiltinOp::SLICE:
      return kSlice;
    case BuiltinOp::GATHER:
    case BuiltinOp::GATHER_ND:
      return kGather;
    case BuiltinOp::SPLIT:
      return kSplit;
    case BuiltinOp::SPLIT_V:
      return kSplitV;
    case BuiltinOp::PRELU:
      return kPrelu;
    case BuiltinOp::RESIZE_BILINEAR:
    case BuiltinOp::RESIZE_NEAREST_NEIGHBOR:
      return kResize;
    case BuiltinOp::TILE:
      return kTile;
    case BuiltinOp::BROADCAST_TO:
      return kBroadcast;
    case BuiltinOp::EMBEDDING_LOOKUP:
      return kEmbedding;
    case BuiltinOp::SELECT:
    case BuiltinOp::SELECT_V2:
      return kSelect;
    case BuiltinOp::FILL:
      return kFill;
    case BuiltinOp::DYNAMIC_UPDATE_SLICE:
      return kDynamicUpdate;
    case BuiltinOp::SPACE_TO_BATCH_ND:
    case BuiltinOp::BATCH_TO_SPACE_ND:
      return kSpaceBatch;
    case BuiltinOp::SVDF:
      return kSvdf;
    case BuiltinOp::LSTM:
    case BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM:
      return kLstm;
    default:
      return {};
  }
}

QString activationName(tfl::ActivationFunctionType type) {
  switch (type) {
    case tfl::ActivationFunctionType::NONE:
      return {};
    case tfl::ActivationFunctionType::RELU:
      return QStringLiteral("RELU");
    case tfl::ActivationFunctionType::RELU_N1_TO_1:
      return QStringLiteral("RELU_N1_TO_1");
    case tfl::ActivationFunctionType::RELU6:
      return QStringLiteral("RELU6");
    case tfl::ActivationFunctionType::TANH:
      return QStringLiteral("TANH");
    case tfl::ActivationFunctionType::SIGN_BIT:
      return QStringLiteral("SIGN_BIT");
  }
  return QStringLiteral("ACT_%1").arg(static_cast<int>(type));
}

template <class T>
bool fusedOf(const format::Operator& op, QString& out) {
  if (const T* options = format::options_as<T>(op)) {
    out = activationName(options->fused_activation_function);
    return true;
  }
  return false;
}

}  // namespace

QString inputRoleName(BuiltinOp op, uint32_t slot) {
  const auto roles = inputRoles(op);
  if (slot < roles.size()) return QString::fromUtf8(roles[slot]);
  // Variadic inputs (CONCATENATION, PACK, ADD_N) are all alike.
  if (op == BuiltinOp::CONCATENATION || op == BuiltinOp::PACK || op == BuiltinOp::ADD_N || slot == 0)
    return QStringLiteral("input");
  return QStringLiteral("input %1").arg(slot);
}

QString fusedActivationName(const format::Operator& op) {
  QString name;
  fusedOf<tfl::Conv2DOptionsT>(op, name) || fusedOf<tfl::DepthwiseConv2DOptionsT>(op, name) ||
      fusedOf<tfl::FullyConnectedOptionsT>(op, name) || fusedOf<tfl::AddOptionsT>(op, name) ||
      fusedOf<tfl::SubOptionsT>(op, name) || fusedOf<tfl::MulOptionsT>(op, name) ||
      fusedOf<tfl::DivOptionsT>(op, name) || fusedOf<tfl::ConcatenationOptionsT>(op, name) ||
      fusedOf<tfl::Pool2DOptionsT>(op, name) || fusedOf<tfl::Conv3DOptionsT>(op, name) ||
      fusedOf<tfl::TransposeConvOptionsT>(op, name) || fusedOf<tfl::L2NormOptionsT>(op, name) ||
      fusedOf<tfl::SVDFOptionsT>(op, name) || fusedOf<tfl::RNNOptionsT>(op, name) ||
      fusedOf<tfl::SequenceRNNOptionsT>(op, name) || fusedOf<tfl::LSTMOptionsT>(op, name) ||
      fusedOf<tfl::UnidirectionalSequenceLSTMOptionsT>(op, name) ||
      fusedOf<tfl::BidirectionalSequenceLSTMOptionsT>(op, name) ||
      fusedOf<tfl::BidirectionalSequenceRNNOptionsT>(op, name);
  return name;
}

QString opTitle(const format::Operator& op) {
  if (op.code.builtin == BuiltinOp::CUSTOM && !op.code.custom_code.empty())
    return QString::fromStdString(op.code.custom_code);
  return QString::fromStdString(format::op_name(op.code.builtin));
}

}  // namespace qs::widgets
