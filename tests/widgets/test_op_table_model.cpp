// OpTableModel / OpTableView and the op text helpers (options decoder, slot
// names) on real corpus models. Expected values were read from the files
// with `quantscope-cli info` and a throwaway program printing each op's
// options through format::options_as<>.

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>

#include <memory>
#include <string>

#include "format/model_file.h"
#include "format/op_options.h"
#include "support/corpus.h"
#include "widgets/op_options_text.h"
#include "widgets/op_table_model.h"
#include "widgets/op_table_view.h"

namespace {

using qs::format::Model;
using qs::format::ModelFile;
using qs::widgets::OpTableModel;
using qs::widgets::OpTableView;

std::shared_ptr<const Model> loadCorpusModel(const std::string& name) {
  auto file = ModelFile::open(qs::test::corpus_model(name));
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return nullptr;
  }
  return std::make_shared<const Model>(file->to_model());
}

QString cell(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole) {
  return model.data(model.index(row, column), role).toString();
}

qint64 sortValue(const QAbstractItemModel& model, int row, int column) {
  return model.data(model.index(row, column), OpTableModel::SortRole).toLongLong();
}

std::string field(const qs::widgets::DecodedOptions& options, const std::string& name) {
  for (const auto& f : options.fields)
    if (f.name == name) return f.value;
  return "(absent)";
}

TEST(OpTableModel, PassesModelTesterThroughResets) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  const auto multi = loadCorpusModel("multi_subgraphs_while.bin");
  const auto custom = loadCorpusModel("audio_preprocessor_int8.tflite");
  ASSERT_TRUE(mobilenet && multi && custom);

  OpTableModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(OpTableModel::SortRole);
  proxy.sort(OpTableModel::ParametersColumn, Qt::DescendingOrder);
  QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);

  model.setModel(mobilenet, 0);
  EXPECT_EQ(model.rowCount(), 31);
  EXPECT_EQ(model.columnCount(), OpTableModel::ColumnCount);
  for (int g = 0; g < 3; ++g) model.setModel(multi, g);
  model.setModel(custom, 0);
  model.setModel(multi, 3);  // out of range: empty
  EXPECT_EQ(model.rowCount(), 0);
  model.setModel(mobilenet, -1);
  EXPECT_EQ(model.rowCount(), 0);
  model.setModel(mobilenet, 0);
  model.clear();
  EXPECT_EQ(model.rowCount(), 0);
  EXPECT_EQ(model.model(), nullptr);
}

TEST(OpTableModel, MobilenetRows) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  OpTableModel model;
  model.setModel(mobilenet, 0);
  ASSERT_EQ(model.rowCount(), 31);  // `info`: subgraph 0 'main': 31 ops

  // Op 0: CONV_2D v1, inputs #0 input, #30 filter UINT8[8,3,3,3] (216
  // values), #29 bias INT32[8]; output #31 UINT8[1,64,64,8]; RELU6 fused.
  EXPECT_EQ(cell(model, 0, OpTableModel::IndexColumn), "0");
  EXPECT_EQ(cell(model, 0, OpTableModel::TypeColumn), "CONV_2D");
  EXPECT_EQ(cell(model, 0, OpTableModel::VersionColumn), "1");
  EXPECT_EQ(cell(model, 0, OpTableModel::InputsColumn), "3");
  EXPECT_EQ(cell(model, 0, OpTableModel::OutputsColumn), "1");
  EXPECT_EQ(cell(model, 0, OpTableModel::OutputShapeColumn), "[1,64,64,8]");
  EXPECT_EQ(cell(model, 0, OpTableModel::OutputTypeColumn), "UINT8");
  EXPECT_EQ(cell(model, 0, OpTableModel::ActivationColumn), "RELU6");
  EXPECT_EQ(sortValue(model, 0, OpTableModel::ParametersColumn), 216 + 8);
  EXPECT_EQ(sortValue(model, 0, OpTableModel::OutputShapeColumn), 64 * 64 * 8);
  EXPECT_EQ(cell(model, 0, OpTableModel::TypeColumn, Qt::ToolTipRole), "Conv2DOptions");
  const QString inputsTip = cell(model, 0, OpTableModel::InputsColumn, Qt::ToolTipRole);
  EXPECT_TRUE(inputsTip.contains("filter: #30 ")) << inputsTip.toStdString();
  EXPECT_TRUE(inputsTip.contains("bias: #29 ")) << inputsTip.toStdString();

  // Op 27 AVERAGE_POOL_2D: no fused activation (NONE), no parameters.
  EXPECT_EQ(cell(model, 27, OpTableModel::TypeColumn), "AVERAGE_POOL_2D");
  EXPECT_EQ(cell(model, 27, OpTableModel::ActivationColumn), "");
  EXPECT_EQ(cell(model, 27, OpTableModel::ParametersColumn), "");
  EXPECT_EQ(sortValue(model, 27, OpTableModel::ParametersColumn), 0);
  // Op 28: the logits conv, filter [1001,1,1,256] + bias [1001].
  EXPECT_EQ(sortValue(model, 28, OpTableModel::ParametersColumn), 1001 * 256 + 1001);
  EXPECT_EQ(cell(model, 28, OpTableModel::ActivationColumn), "");
  // Op 30: SOFTMAX, the model's output.
  EXPECT_EQ(cell(model, 30, OpTableModel::TypeColumn), "SOFTMAX");
  EXPECT_EQ(cell(model, 30, OpTableModel::OutputShapeColumn), "[1,1001]");

  // Parameters over all ops = the model's 467,595 (no weight is shared here).
  qint64 total = 0;
  for (int r = 0; r < model.rowCount(); ++r) total += sortValue(model, r, OpTableModel::ParametersColumn);
  EXPECT_EQ(total, 467595);
  EXPECT_EQ(model.data(model.index(12, OpTableModel::TypeColumn), OpTableModel::OpIndexRole).toInt(), 12);
}

TEST(OpTableModel, CustomOpsAndControlFlow) {
  QS_REQUIRE_CORPUS();
  const auto custom = loadCorpusModel("custom_op.bin");
  ASSERT_TRUE(custom);
  OpTableModel model;
  model.setModel(custom, 0);
  ASSERT_EQ(model.rowCount(), 1);
  EXPECT_EQ(cell(model, 0, OpTableModel::TypeColumn), "CUSTOM:CustomTestOp");

  const auto multi = loadCorpusModel("multi_subgraphs_while.bin");
  ASSERT_TRUE(multi);
  model.setModel(multi, 0);
  ASSERT_GE(model.rowCount(), 1);
  bool sawWhile = false;
  for (int r = 0; r < model.rowCount(); ++r) sawWhile |= cell(model, r, OpTableModel::TypeColumn) == "WHILE";
  EXPECT_TRUE(sawWhile);
}

TEST(OpTableView, FilterSortAndActivation) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  OpTableView view;
  view.setModel(mobilenet, 0);
  EXPECT_EQ(view.proxyModel()->rowCount(), 31);
  view.filterEdit()->setText("depthwise");
  EXPECT_EQ(view.proxyModel()->rowCount(), 13);  // `info`: DEPTHWISE_CONV_2D 13
  view.filterEdit()->clear();
  view.tableView()->sortByColumn(OpTableModel::ParametersColumn, Qt::DescendingOrder);
  // The biggest op is the logits conv (#28).
  EXPECT_EQ(view.proxyModel()->data(view.proxyModel()->index(0, 0), OpTableModel::OpIndexRole).toInt(), 28);

  QSignalSpy spy(&view, &OpTableView::opActivated);
  emit view.tableView()->activated(view.proxyModel()->index(0, 0));
  ASSERT_EQ(spy.count(), 1);
  EXPECT_EQ(spy.at(0).at(0).toInt(), 0);
  EXPECT_EQ(spy.at(0).at(1).toInt(), 28);
}

// The options decoder ---------------------------------------------------------

TEST(OpOptionsText, DecodesMobilenetConvolutions) {
  QS_REQUIRE_CORPUS();
  const auto mobilenet = loadCorpusModel("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_TRUE(mobilenet);
  const auto& ops = mobilenet->subgraphs[0].operators;
  // Op 0: Conv2DOptions{SAME, stride 2×2, RELU6, dilation 1×1}.
  const auto conv = qs::widgets::decode_options(ops[0]);
  EXPECT_EQ(conv.type, "Conv2DOptions");
  EXPECT_TRUE(conv.decoded);
  EXPECT_EQ(conv.summary(), "Conv2DOptions");
  EXPECT_EQ(field(conv, "padding"), "SAME");
  EXPECT_EQ(field(conv, "stride_w"), "2");
  EXPECT_EQ(field(conv, "stride_h"), "2");
  EXPECT_EQ(field(conv, "fused_activation_function"), "RELU6");
  EXPECT_EQ(field(conv, "dilation_w_factor"), "1");
  EXPECT_EQ(field(conv, "dilation_h_factor"), "1");
  ASSERT_EQ(conv.fields.size(), 7U);  // every field of the table, schema order
  EXPECT_EQ(conv.fields[0].name, "padding");
  EXPECT_EQ(conv.fields[6].name, "quantized_bias_type");
  // Agrees with the generated accessors.
  const auto* raw = qs::format::options_as<qs::tfl::Conv2DOptionsT>(ops[0]);
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(field(conv, "stride_w"), std::to_string(raw->stride_w));

  // Op 1: DepthwiseConv2DOptions, stride 1, depth multiplier 1.
  const auto dw = qs::widgets::decode_options(ops[1]);
  EXPECT_EQ(dw.type, "DepthwiseConv2DOptions");
  EXPECT_EQ(field(dw, "stride_w"), "1");
  EXPECT_EQ(field(dw, "depth_multiplier"), "1");
  // Op 27: Pool2DOptions 4×4 filter, stride 2 (`Pool2DOptionsT` read back).
  const auto pool = qs::widgets::decode_options(ops[27]);
  EXPECT_EQ(pool.type, "Pool2DOptions");
  EXPECT_EQ(field(pool, "filter_width"), "4");
  EXPECT_EQ(field(pool, "stride_h"), "2");
  EXPECT_EQ(qs::widgets::fused_activation(ops[27]), "");
  // Op 29: RESHAPE without options; op 30: SOFTMAX beta 1.
  EXPECT_EQ(qs::widgets::decode_options(ops[29]).type, "");
  EXPECT_EQ(qs::widgets::decode_options(ops[29]).summary(), "");
  EXPECT_EQ(field(qs::widgets::decode_options(ops[30]), "beta"), "1");
}

TEST(OpOptionsText, EnumsVectorsMasksAndSubgraphs) {
  using namespace qs;
  format::Operator op;
  tfl::StridedSliceOptionsT ss;
  ss.begin_mask = 5;
  ss.shrink_axis_mask = 2;
  op.options = format::make_options(ss);
  auto d = widgets::decode_options(op);
  EXPECT_EQ(field(d, "begin_mask"), "5 (bits 0, 2)");
  EXPECT_EQ(field(d, "shrink_axis_mask"), "2 (bit 1)");
  EXPECT_EQ(field(d, "end_mask"), "0");
  EXPECT_EQ(field(d, "offset"), "false");

  tfl::ReshapeOptionsT reshape;
  reshape.new_shape = {1, -1, 8};
  op.options = format::make_options(reshape);
  EXPECT_EQ(field(widgets::decode_options(op), "new_shape"), "[1, -1, 8]");

  tfl::WhileOptionsT w;
  w.cond_subgraph_index = 1;
  w.body_subgraph_index = 2;
  op.options = format::make_options(w);
  d = widgets::decode_options(op);
  ASSERT_EQ(d.fields.size(), 2U);
  EXPECT_EQ(d.fields[1].name, "body_subgraph_index");
  EXPECT_EQ(d.fields[1].subgraphs, std::vector<int32_t>{2});

  tfl::FullyConnectedOptionsT fc;
  fc.fused_activation_function = tfl::ActivationFunctionType::TANH;
  fc.keep_num_dims = true;
  op.options = format::make_options(fc);
  EXPECT_EQ(widgets::fused_activation(op), "TANH");
  EXPECT_EQ(field(widgets::decode_options(op), "keep_num_dims"), "true");
  EXPECT_EQ(field(widgets::decode_options(op), "weights_format"), "DEFAULT");

  tfl::LeakyReluOptionsT leaky;
  leaky.alpha = 0.2f;
  op.options = format::make_options(leaky);
  EXPECT_EQ(field(widgets::decode_options(op), "alpha"), "0.2");  // the float, not 0.200000003

  // BuiltinOptions2: StableHLO composite.
  tfl::StableHLOCompositeOptionsT composite;
  composite.name = "odml.scaled_dot_product_attention";
  composite.decomposition_subgraph_index = 1;
  composite.composite_attributes = {1, 2, 3};
  composite.version = 2;
  op.options = format::make_options(composite);
  d = widgets::decode_options(op);
  EXPECT_EQ(d.type, "StableHLOCompositeOptions");
  EXPECT_EQ(field(d, "name"), "\"odml.scaled_dot_product_attention\"");
  EXPECT_EQ(field(d, "composite_attributes"), "3 bytes");
  EXPECT_EQ(field(d, "composite_attributes_format"), "FLEXBUFFERS");

  tfl::StablehloCompareOptionsT compare;
  compare.comparison_direction = tfl::StablehloComparisonDirection::STABLEHLO_COMPARISON_DIRECTION_GT;
  op.options = format::make_options(compare);
  EXPECT_EQ(field(widgets::decode_options(op), "comparison_direction"), "GT");

  // An empty table, and no options at all.
  op.options = format::make_options(tfl::PadOptionsT{});
  EXPECT_EQ(widgets::decode_options(op).summary(), "PadOptions (no fields)");
  op.options = {};
  EXPECT_EQ(widgets::decode_options(op).summary(), "");
}

TEST(OpOptionsText, UndecodedTablesAreCountedNotDropped) {
  // A union tag this build has no struct for: named by number, counted as
  // zero fields, never a crash.
  auto unknown = std::make_shared<qs::tfl::BuiltinOptionsUnion>();
  unknown->type = static_cast<qs::tfl::BuiltinOptions>(250);
  qs::format::Operator op;
  op.options = qs::format::OpOptions(unknown, nullptr);
  const auto d = qs::widgets::decode_options(op);
  EXPECT_EQ(d.type, "options type 250");
  EXPECT_FALSE(d.decoded);
  EXPECT_EQ(d.summary(), "options type 250 (0 fields, not decoded)");
  EXPECT_EQ(qs::widgets::fused_activation(op), "");
}

TEST(OpOptionsText, SlotNames) {
  using qs::format::BuiltinOp;
  using qs::widgets::input_slot_name;
  using qs::widgets::output_slot_name;
  EXPECT_EQ(input_slot_name(BuiltinOp::CONV_2D, 0, 3), "input");
  EXPECT_EQ(input_slot_name(BuiltinOp::CONV_2D, 1, 3), "filter");
  EXPECT_EQ(input_slot_name(BuiltinOp::CONV_2D, 2, 3), "bias");
  EXPECT_EQ(input_slot_name(BuiltinOp::FULLY_CONNECTED, 1, 3), "weights");
  EXPECT_EQ(input_slot_name(BuiltinOp::TRANSPOSE_CONV, 0, 4), "output_shape");
  EXPECT_EQ(input_slot_name(BuiltinOp::CONCATENATION, 2, 3), "values[2]");
  EXPECT_EQ(input_slot_name(BuiltinOp::CONCATENATION, 0, 1), "values");
  EXPECT_EQ(input_slot_name(BuiltinOp::LSTM, 18, 24), "output_state");
  EXPECT_EQ(input_slot_name(BuiltinOp::UNIDIRECTIONAL_SEQUENCE_LSTM, 2, 24), "input_to_forget_weights");
  EXPECT_EQ(input_slot_name(BuiltinOp::SVDF, 4, 5), "activation_state");
  EXPECT_EQ(input_slot_name(BuiltinOp::IF, 0, 3), "cond");
  EXPECT_EQ(input_slot_name(BuiltinOp::IF, 2, 3), "input[1]");
  EXPECT_EQ(input_slot_name(BuiltinOp::CONV_2D, 5, 6), "input 5");  // beyond the known slots
  EXPECT_EQ(output_slot_name(BuiltinOp::CONV_2D, 0, 1), "output");
  EXPECT_EQ(output_slot_name(BuiltinOp::SPLIT, 1, 3), "output[1]");
  EXPECT_EQ(output_slot_name(BuiltinOp::TOPK_V2, 1, 2), "indices");
}

TEST(OpOptionsText, CustomOptionsFlexBuffers) {
  QS_REQUIRE_CORPUS();
  // Every custom op in the corpus: decoding never crashes, and an op with
  // FlexBuffer map options shows its keys.
  int decodedMaps = 0;
  for (const auto& path : qs::test::corpus_models()) {
    auto file = ModelFile::open(path);
    if (!file) continue;
    const Model model = file->to_model();
    for (const auto& sg : model.subgraphs)
      for (const auto& op : sg.operators) {
        if (op.custom_options.empty()) continue;
        const auto fields = qs::widgets::decode_custom_options(op);
        if (!fields.empty() && fields.front().name != "value") ++decodedMaps;
        for (const auto& f : fields) EXPECT_FALSE(f.name.empty()) << path;
      }
  }
  EXPECT_GT(decodedMaps, 0);
}

}  // namespace
