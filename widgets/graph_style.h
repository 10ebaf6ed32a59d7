#pragma once
// The look of the graph view: op categories and their colours, fonts, the
// text shown on nodes and edges. Pure functions and constants, shared by the
// scene items, the overview and the exports.

#include <QColor>
#include <QFont>
#include <QString>

#include <cstdint>
#include <span>

#include "format/model.h"

namespace qs::widgets {

enum class OpCategory : uint8_t {
  Linear,        // convolutions, fully connected, matmul
  Activation,    // RELU*, LOGISTIC, TANH, SOFTMAX, ...
  Elementwise,   // ADD, MUL, comparisons, unary maths
  Pooling,       // pooling and reductions
  Shape,         // reshape, transpose, concat, slice, gather, pad, ...
  Quantization,  // QUANTIZE, DEQUANTIZE, FAKE_QUANT
  ControlFlow,   // WHILE, IF, CALL_ONCE, ...
  Recurrent,     // LSTM, RNN, SVDF
  Custom,        // CUSTOM
  Other,
};
inline constexpr int kOpCategoryCount = 10;

OpCategory opCategory(format::BuiltinOp op);
QString opCategoryName(OpCategory category);

// Colours of one category: `fill` for the node's title band, `accent` for
// its border and for the node when drawn as a plain block at low zoom,
// `text` for the title.
struct CategoryColors {
  QColor fill;
  QColor accent;
  QColor text;
};
const CategoryColors& categoryColors(OpCategory category);

// Everything else the scene paints with.
struct GraphPalette {
  QColor background{0xF7, 0xF8, 0xFA};
  QColor nodeBody{0xFF, 0xFF, 0xFF};
  QColor detailText{0x30, 0x37, 0x41};   // shapes and types on op nodes
  QColor detailMuted{0x7A, 0x83, 0x90};  // roles ("filter", "bias")
  QColor ioFill{0xE9, 0xEE, 0xF4};       // input / output pills
  QColor ioBorder{0x6E, 0x7F, 0x95};
  QColor ioText{0x26, 0x32, 0x41};
  QColor stateFill{0xF4, 0xF1, 0xEA};
  QColor edge{0x93, 0x9C, 0xA9};
  QColor edgeLabel{0x6A, 0x73, 0x80};
  QColor highlight{0x1F, 0x6F, 0xEB};  // the selection
  QColor related{0x1F, 0x6F, 0xEB};    // edges of a selected node
  QColor hit{0xF0, 0xA2, 0x02};        // find matches
  QColor hitFill{0xFF, 0xF4, 0xD6};
  QColor tagFill{0xF9, 0xE3, 0xE0};  // fused activation chip
  QColor tagText{0x9A, 0x3B, 0x32};
  QColor tagBorder{0xE3, 0xB4, 0xAD};
};
const GraphPalette& graphPalette();

// Fonts in pixel sizes: scene units are pixels at 100% zoom, whatever the
// screen's DPI, so node sizes do not depend on the machine that lays out.
struct GraphFonts {
  QFont title;
  QFont detail;
  QFont tag;
  QFont edgeLabel;
};
GraphFonts makeGraphFonts();

// "1×112×112×32" (dynamic dimensions as "?"), "scalar" for rank 0.
QString shapeText(const format::Tensor& tensor);
// "int8", "float32", ...
QString typeText(format::TensorType type);
// "1×112×112×32 int8": an edge label, or the second line of an I/O node.
QString tensorSummary(const format::Tensor& tensor);
// The role of input `slot` of `op` ("filter", "bias", "shape", ...), or
// "input" / "input N" where the op is not in our table.
QString inputRoleName(format::BuiltinOp op, uint32_t slot);
// "RELU6" etc. for an op with a fused activation, empty for none.
QString fusedActivationName(const format::Operator& op);
// Title of an op node: the op name, or the custom code of a CUSTOM op.
QString opTitle(const format::Operator& op);

}  // namespace qs::widgets
