// The graph view on real corpus models and on a synthetic 10 000-op model:
// one item per graph node, selection signals, find, exports; and screenshots
// of the view under ${CMAKE_BINARY_DIR}/test-artifacts/ for a human to look at.

#include <gtest/gtest.h>

#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QLineEdit>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTest>
#include <QToolTip>

#include <cctype>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "format/model_file.h"
#include "layout/model_graph.h"
#include "support/corpus.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"
#include "widgets/graph_find_bar.h"
#include "widgets/graph_overview.h"
#include "widgets/graph_view.h"

namespace {

using qs::format::BuiltinOp;
using qs::format::Model;
using qs::format::TensorType;
using qs::widgets::GraphEdgeItem;
using qs::widgets::GraphFindBar;
using qs::widgets::GraphHit;
using qs::widgets::GraphNodeItem;
using qs::widgets::GraphView;

constexpr const char* kMobilenet = "mobilenet_v1_0.25_224_1_metadata_1.tflite";
constexpr const char* kFaceDetection = "face_detection_short_range.tflite";
constexpr const char* kMultiSignature = "multi_signature_model.tflite";
constexpr const char* kNestedWhile = "nested_while.bin";

std::shared_ptr<const Model> loadModel(const std::string& name) {
  auto file = qs::format::ModelFile::open(qs::test::corpus_model(name));
  EXPECT_TRUE(file.has_value()) << name << ": " << (file ? "" : file.error().message);
  if (!file) return nullptr;
  return std::make_shared<const Model>(file->to_model());
}

QString artifactsDir() {
  const QString dir = QStringLiteral(QS_TEST_ARTIFACTS_DIR);
  QDir().mkpath(dir);
  return dir;
}

struct ItemCounts {
  size_t nodes = 0;
  size_t edges = 0;
};

ItemCounts countItems(const GraphView& view) {
  ItemCounts counts;
  for (QGraphicsItem* item : view.scene()->items()) {
    if (qgraphicsitem_cast<GraphNodeItem*>(item) != nullptr) ++counts.nodes;
    if (qgraphicsitem_cast<GraphEdgeItem*>(item) != nullptr) ++counts.edges;
  }
  return counts;
}

// A view the size of a typical graph pane, shown offscreen so that it has a
// viewport, a transform and can be grabbed.
std::unique_ptr<GraphView> makeView(int width = 1280, int height = 800) {
  auto view = std::make_unique<GraphView>();
  view->resize(width, height);
  view->show();
  QCoreApplication::processEvents();
  return view;
}

QPoint viewportPoint(const GraphView& view, const QPointF& scenePoint) {
  return view.mapFromScene(scenePoint);
}

int countOps(const Model& model, int subgraph, BuiltinOp op) {
  int count = 0;
  for (const auto& o : model.subgraphs[static_cast<size_t>(subgraph)].operators)
    count += o.code.builtin == op;
  return count;
}

void saveScreenshot(GraphView& view, const QString& name) {
  QCoreApplication::processEvents();  // scroll bars are laid out in an event
  const QImage image = view.grab().toImage();
  ASSERT_FALSE(image.isNull());
  const QString path = artifactsDir() + QLatin1Char('/') + name + QStringLiteral(".png");
  EXPECT_TRUE(image.save(path)) << path.toStdString();
}


// Node items ------------------------------------------------------------------

struct Case {
  const char* model;
  int subgraph;
};

class GraphViewCorpus : public ::testing::TestWithParam<Case> {};

TEST_P(GraphViewCorpus, HasOneItemPerGraphNodeAndEdge) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(GetParam().model);
  ASSERT_TRUE(model);
  const int sg = GetParam().subgraph;
  ASSERT_LT(static_cast<size_t>(sg), model->subgraphs.size());
  auto view = makeView();
  view->setModel(model, sg);
  EXPECT_EQ(view->subgraph(), sg);

  const auto graph = qs::layout::build_model_graph(*model, static_cast<uint32_t>(sg));
  const auto& subgraph = model->subgraphs[static_cast<size_t>(sg)];
  size_t states = 0;
  for (const auto& node : graph.nodes) states += node.kind == qs::layout::ModelNodeKind::State;
  // ops + inputs + outputs (+ states), as build_model_graph makes them.
  EXPECT_EQ(graph.nodes.size(),
            subgraph.operators.size() + subgraph.inputs.size() + subgraph.outputs.size() + states);
  const auto counts = countItems(*view);
  EXPECT_EQ(counts.nodes, graph.nodes.size());
  EXPECT_EQ(counts.edges, graph.edges.size());

  // Every op has its item, at its layout position, with its text inside.
  for (size_t op = 0; op < subgraph.operators.size(); ++op) {
    const auto* item = view->graphScene()->opItem(static_cast<int>(op));
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->kind(), GraphNodeItem::Kind::Op);
    EXPECT_EQ(item->index(), static_cast<int>(op));
    EXPECT_GT(item->rect().width(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, GraphViewCorpus,
                         ::testing::Values(Case{kMobilenet, 0}, Case{kFaceDetection, 0},
                                           Case{kMultiSignature, 0}, Case{kMultiSignature, 1},
                                           Case{kMultiSignature, 2}, Case{kNestedWhile, 0},
                                           Case{kNestedWhile, 1}, Case{kNestedWhile, 2},
                                           Case{kNestedWhile, 3}, Case{kNestedWhile, 4}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           std::string name =
                               std::string(param.param.model) + "_sg" + std::to_string(param.param.subgraph);
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(GraphView, TextFitsInsideEveryNode) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kFaceDetection);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  const auto& style = view->graphScene()->style();
  for (const auto* node : view->graphScene()->nodeItems()) {
    const QFontMetricsF title(style.fonts.title);
    const QRectF titleRect(node->rect().topLeft() + node->title.pos,
                           QSizeF(title.horizontalAdvance(node->title.text), title.height()));
    EXPECT_TRUE(node->rect().contains(titleRect)) << node->title.text.toStdString();
    const QFontMetricsF detail(style.fonts.detail);
    for (const auto& line : node->lines) {
      const QRectF r(node->rect().topLeft() + line.pos,
                     QSizeF(detail.horizontalAdvance(line.text), detail.height()));
      EXPECT_TRUE(node->rect().contains(r)) << line.text.toStdString();
    }
  }
}

TEST(GraphView, OpNodesListFoldedConstantsAndFusedActivation) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  // Op 0 is the first CONV_2D: filter and bias folded, RELU6 fused.
  const auto* conv = view->graphScene()->opItem(0);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->title.text, QStringLiteral("CONV_2D"));
  EXPECT_EQ(conv->tag.text, QStringLiteral("RELU6"));
  ASSERT_EQ(conv->lines.size(), 4u);
  EXPECT_EQ(conv->lines[0].text, QStringLiteral("filter"));
  EXPECT_EQ(conv->lines[1].text, QString::fromUtf8("⟨8×3×3×3⟩ float32"));
  EXPECT_EQ(conv->lines[2].text, QStringLiteral("bias"));
  EXPECT_EQ(conv->lines[3].text, QString::fromUtf8("⟨8⟩ float32"));

  // Its output edge is labelled with shape and type.
  const int out = model->subgraphs[0].operators[0].outputs[0];
  const auto edges = view->graphScene()->tensorEdges(out);
  ASSERT_EQ(edges.size(), 1u);
  const auto* label = view->graphScene()->edgeItems()[edges[0]]->label();
  ASSERT_NE(label, nullptr);
  EXPECT_EQ(label->text(), QString::fromUtf8("1×112×112×8 float32"));
  // No label overlaps a node or another label.
  for (const auto* a : view->graphScene()->labelItems()) {
    for (const auto* node : view->graphScene()->nodeItems()) EXPECT_FALSE(a->rect().intersects(node->rect()));
    for (const auto* b : view->graphScene()->labelItems()) {
      if (a != b) {
        EXPECT_FALSE(a->rect().intersects(b->rect()));
      }
    }
  }
}

// Selection -------------------------------------------------------------------

TEST(GraphView, ClickingAnOpSelectsItAndEmitsOpSelected) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMultiSignature);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 1);
  QSignalSpy ops(view.get(), &GraphView::opSelected);
  QSignalSpy tensors(view.get(), &GraphView::tensorSelected);

  auto* node = view->graphScene()->opItem(0);
  ASSERT_NE(node, nullptr);
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, viewportPoint(*view, node->rect().center()));
  ASSERT_EQ(ops.count(), 1);
  EXPECT_EQ(ops.at(0).at(0).toInt(), 1);  // subgraph
  EXPECT_EQ(ops.at(0).at(1).toInt(), 0);  // op
  EXPECT_EQ(tensors.count(), 0);
  EXPECT_EQ(view->selectedOp(), 0);
  EXPECT_TRUE(node->highlight() & qs::widgets::HighlightSelected);
  // Its edges are marked too.
  for (const auto e : view->graphScene()->nodeEdges(node->node()))
    EXPECT_TRUE(view->graphScene()->edgeItems()[e]->highlight() & qs::widgets::HighlightRelated);

  // A click on empty space clears it.
  QSignalSpy cleared(view.get(), &GraphView::selectionCleared);
  const QRectF graph = view->graphScene()->graphRect();
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                    viewportPoint(*view, graph.topLeft() + QPointF(5, 5)));
  EXPECT_EQ(cleared.count(), 1);
  EXPECT_EQ(view->selectedOp(), -1);
  EXPECT_EQ(node->highlight(), 0);
}

TEST(GraphView, ClickingAnEdgeOrAPillEmitsTensorSelected) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  view->resetZoom();
  QSignalSpy tensors(view.get(), &GraphView::tensorSelected);

  // The edge out of op 0: click on its curve, half way.
  const auto& sg = model->subgraphs[0];
  const int tensor = sg.operators[0].outputs[0];
  const auto edges = view->graphScene()->tensorEdges(tensor);
  ASSERT_FALSE(edges.empty());
  const auto* edge = view->graphScene()->edgeItems()[edges[0]];
  const QPointF onCurve = edge->path().pointAtPercent(0.5);
  view->centerOn(onCurve);
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, viewportPoint(*view, onCurve));
  ASSERT_EQ(tensors.count(), 1);
  EXPECT_EQ(tensors.at(0).at(1).toInt(), tensor);
  EXPECT_EQ(view->selectedTensor(), tensor);

  // The input pill is the input tensor.
  const auto* input = view->graphScene()->nodeItems().front();
  ASSERT_EQ(input->kind(), GraphNodeItem::Kind::Input);
  view->centerOn(input->rect().center());
  QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, viewportPoint(*view, input->rect().center()));
  ASSERT_EQ(tensors.count(), 2);
  EXPECT_EQ(tensors.at(1).at(1).toInt(), sg.inputs[0]);
}

TEST(GraphView, SelectTensorHighlightsItsEdgesWithoutEmitting) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kFaceDetection);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  QSignalSpy ops(view.get(), &GraphView::opSelected);
  QSignalSpy tensors(view.get(), &GraphView::tensorSelected);

  // A tensor read by two ops (a residual connection): every edge of it lit.
  const auto& graph = view->graphScene()->modelGraph();
  int tensor = -1;
  for (size_t t = 0; t < model->subgraphs[0].tensors.size() && tensor < 0; ++t) {
    if (view->graphScene()->tensorEdges(static_cast<int>(t)).size() >= 2) tensor = static_cast<int>(t);
  }
  ASSERT_GE(tensor, 0);
  view->selectTensor(tensor);
  EXPECT_EQ(view->selectedTensor(), tensor);
  size_t lit = 0;
  for (const auto* edge : view->graphScene()->edgeItems()) {
    const bool selected = (edge->highlight() & qs::widgets::HighlightSelected) != 0;
    EXPECT_EQ(selected, static_cast<int>(graph.edges[static_cast<size_t>(edge->edge())].tensor) == tensor);
    lit += selected;
  }
  EXPECT_EQ(lit, view->graphScene()->tensorEdges(tensor).size());
  // Centred on it.
  const QPointF anchor =
      view->graphScene()->edgeItems()[view->graphScene()->tensorEdges(tensor)[0]]->labelAnchor();
  EXPECT_TRUE(view->viewport()->rect().contains(view->mapFromScene(anchor)));

  view->selectOp(3);
  EXPECT_EQ(view->selectedOp(), 3);
  EXPECT_EQ(view->selectedTensor(), -1);
  for (const auto* edge : view->graphScene()->edgeItems()) {
    if (static_cast<int>(graph.edges[static_cast<size_t>(edge->edge())].tensor) == tensor &&
        static_cast<int>(graph.edges[static_cast<size_t>(edge->edge())].to) !=
            view->graphScene()->opItem(3)->node()) {
      EXPECT_FALSE(edge->highlight() & qs::widgets::HighlightSelected);
    }
  }
  EXPECT_EQ(ops.count(), 0);
  EXPECT_EQ(tensors.count(), 0);
}

TEST(GraphView, ContextMenuOnAnOpIsForwarded) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMultiSignature);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  QSignalSpy menu(view.get(), &GraphView::contextMenuRequestedForOp);
  const auto* node = view->graphScene()->opItem(0);
  const QPoint pos = viewportPoint(*view, node->rect().center());
  QContextMenuEvent event(QContextMenuEvent::Mouse, pos, view->viewport()->mapToGlobal(pos));
  QCoreApplication::sendEvent(view->viewport(), &event);
  ASSERT_EQ(menu.count(), 1);
  EXPECT_EQ(menu.at(0).at(0).toInt(), 0);
  EXPECT_EQ(menu.at(0).at(1).toPoint(), view->viewport()->mapToGlobal(pos));
}

TEST(GraphView, ToolTipsDescribeOpsAndTensors) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  const auto toolTipAt = [&](const QPointF& scenePoint) {
    const QPoint pos = viewportPoint(*view, scenePoint);
    QHelpEvent event(QEvent::ToolTip, pos, view->viewport()->mapToGlobal(pos));
    QCoreApplication::sendEvent(view->viewport(), &event);
    return QToolTip::isVisible() ? QToolTip::text() : QString();
  };
  const auto* conv = view->graphScene()->opItem(0);
  view->centerOn(conv->rect().center());
  const QString op = toolTipAt(conv->rect().center());
  EXPECT_TRUE(op.contains(QStringLiteral("CONV_2D"))) << op.toStdString();
  EXPECT_TRUE(op.contains(QStringLiteral("op #0"))) << op.toStdString();
  EXPECT_TRUE(op.contains(QStringLiteral("filter"))) << op.toStdString();
  const auto* input = view->graphScene()->nodeItems().front();
  view->centerOn(input->rect().center());
  const QString tensor = toolTipAt(input->rect().center());
  EXPECT_TRUE(tensor.contains(QStringLiteral("input"))) << tensor.toStdString();
  EXPECT_TRUE(tensor.contains(QString::fromUtf8("1×224×224×3 float32"))) << tensor.toStdString();
  QToolTip::hideText();
}

// Find ------------------------------------------------------------------------

TEST(GraphView, FindsOpsByTypeIndexAndTensorsByName) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);

  const int convs = countOps(*model, 0, BuiltinOp::CONV_2D);
  ASSERT_GT(convs, 0);
  auto hits = view->find(QStringLiteral("CONV_2D"));
  EXPECT_EQ(hits.size(), convs);
  for (const auto& hit : hits) {
    EXPECT_EQ(hit.kind, GraphHit::Kind::Op);
    EXPECT_EQ(model->subgraphs[0].operators[static_cast<size_t>(hit.index)].code.builtin, BuiltinOp::CONV_2D);
  }
  EXPECT_EQ(view->find(QStringLiteral("conv_2d")).size(), convs);  // any case
  EXPECT_EQ(view->find(QStringLiteral("DEPTHWISE_CONV_2D")).size(),
            countOps(*model, 0, BuiltinOp::DEPTHWISE_CONV_2D));

  hits = view->find(QStringLiteral("#5"));
  ASSERT_EQ(hits.size(), 1);
  EXPECT_EQ(hits[0], (GraphHit{GraphHit::Kind::Op, 5}));
  hits = view->find(QStringLiteral("5"));
  ASSERT_FALSE(hits.isEmpty());
  EXPECT_EQ(hits[0], (GraphHit{GraphHit::Kind::Op, 5}));
  EXPECT_TRUE(view->find(QStringLiteral("#100000")).isEmpty());

  // Tensor names: substring, any case.
  hits = view->find(QStringLiteral("predictions/reshape_1"));
  ASSERT_FALSE(hits.isEmpty());
  EXPECT_EQ(hits[0].kind, GraphHit::Kind::Tensor);
  EXPECT_EQ(model->subgraphs[0].tensors[static_cast<size_t>(hits[0].index)].name,
            "MobilenetV1/Predictions/Reshape_1");
  EXPECT_TRUE(view->find(QStringLiteral("no such thing anywhere")).isEmpty());
  EXPECT_TRUE(view->find(QString()).isEmpty());
}

TEST(GraphView, FindBarStepsThroughMatches) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  GraphFindBar bar(view.get());
  QSignalSpy ops(view.get(), &GraphView::opSelected);

  bar.lineEdit()->setText(QStringLiteral("DEPTHWISE_CONV_2D"));
  const int count = countOps(*model, 0, BuiltinOp::DEPTHWISE_CONV_2D);
  ASSERT_EQ(bar.hits().size(), count);
  EXPECT_EQ(bar.currentHit(), 0);
  EXPECT_EQ(bar.statusText(), QStringLiteral("1 of %1").arg(count));
  ASSERT_EQ(ops.count(), 1);
  EXPECT_EQ(view->selectedOp(), bar.hits()[0].index);
  // Every match is marked, the shown one selected.
  for (const auto& hit : bar.hits())
    EXPECT_TRUE(view->graphScene()->opItem(hit.index)->highlight() & qs::widgets::HighlightHit);

  QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
  EXPECT_EQ(bar.currentHit(), 1);
  EXPECT_EQ(view->selectedOp(), bar.hits()[1].index);
  QTest::keyClick(bar.lineEdit(), Qt::Key_Return, Qt::ShiftModifier);
  QTest::keyClick(bar.lineEdit(), Qt::Key_Return, Qt::ShiftModifier);
  EXPECT_EQ(bar.currentHit(), count - 1);  // wraps round

  bar.lineEdit()->setText(QStringLiteral("zzz_nothing"));
  EXPECT_TRUE(bar.hits().isEmpty());
  EXPECT_EQ(bar.statusText(), QStringLiteral("No matches"));
  for (const auto* node : view->graphScene()->nodeItems())
    EXPECT_FALSE(node->highlight() & qs::widgets::HighlightHit);
}

// View ------------------------------------------------------------------------

TEST(GraphView, ZoomFitAndOverview) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMobilenet);
  ASSERT_TRUE(model);
  auto view = makeView(900, 700);
  view->setModel(model, 0);
  // Too tall to read whole: opens at 100% with the overview showing.
  EXPECT_DOUBLE_EQ(view->zoom(), 1.0);
  EXPECT_TRUE(view->overview()->isVisible());

  view->zoomIn();
  EXPECT_GT(view->zoom(), 1.0);
  view->zoomOut();
  EXPECT_NEAR(view->zoom(), 1.0, 1e-9);
  view->fitToView();
  EXPECT_LT(view->zoom(), 0.5);
  const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
  EXPECT_TRUE(visible.adjusted(-2, -2, 2, 2).contains(view->graphScene()->graphRect()));

  // Clicking low in the overview moves the view down.
  view->resetZoom();
  view->verticalScrollBar()->setValue(view->verticalScrollBar()->minimum());
  const int before = view->verticalScrollBar()->value();
  auto* overview = view->overview();
  ASSERT_TRUE(overview->isVisible());
  QTest::mouseClick(overview, Qt::LeftButton, {}, QPoint(overview->width() / 2, overview->height() - 8));
  EXPECT_GT(view->verticalScrollBar()->value(), before + 500);

  // Edge labels toggle.
  EXPECT_TRUE(view->edgeLabelsVisible());
  view->setEdgeLabelsVisible(false);
  EXPECT_FALSE(view->edgeLabelsVisible());
}

TEST(GraphView, ClearAndOutOfRangeSubgraph) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMultiSignature);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 7);
  EXPECT_EQ(countItems(*view).nodes, 0u);
  EXPECT_TRUE(view->find(QStringLiteral("ADD")).isEmpty());
  view->setModel(model, 0);
  EXPECT_GT(countItems(*view).nodes, 0u);
  view->clear();
  EXPECT_EQ(view->subgraph(), -1);
  EXPECT_EQ(countItems(*view).nodes, 0u);
  QString error;
  qs::test::TempDir dir("qs-graph-export");
  EXPECT_FALSE(view->exportPng(QString::fromStdString((dir / "empty.png").string()), &error));
  EXPECT_FALSE(error.isEmpty());
}

// Export ----------------------------------------------------------------------

TEST(GraphView, ExportsPngAndSvgOfTheWholeGraph) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kFaceDetection);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  view->selectOp(0);
  qs::test::TempDir dir("qs-graph-export");

  const QString png = QString::fromStdString((dir / "graph.png").string());
  QString error;
  ASSERT_TRUE(view->exportPng(png, &error)) << error.toStdString();
  QImage image;
  ASSERT_TRUE(image.load(png));
  // The whole scene, not the viewport: the aspect ratio of the graph, and
  // at least its size at 100% (it fits under the caps at 100%).
  const QRectF graph = view->graphScene()->graphRect();
  EXPECT_NEAR(static_cast<double>(image.width()) / image.height(), graph.width() / graph.height(), 0.02);
  EXPECT_GE(image.height(), graph.height() - 1);
  EXPECT_LE(image.width(), GraphView::kPngMaxSide);
  EXPECT_LE(image.height(), GraphView::kPngMaxSide);
  EXPECT_GT(image.width(), view->viewport()->width());

  const QString svg = QString::fromStdString((dir / "graph.svg").string());
  ASSERT_TRUE(view->exportSvg(svg, &error)) << error.toStdString();
  QFile file(svg);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  const QByteArray content = file.readAll();
  EXPECT_GT(content.size(), 10000);
  EXPECT_TRUE(content.startsWith("<?xml") || content.startsWith("<svg"));
  EXPECT_TRUE(content.contains("CONV_2D"));
  EXPECT_TRUE(content.trimmed().endsWith("</svg>"));
  QSvgRenderer renderer(svg);
  ASSERT_TRUE(renderer.isValid());
  EXPECT_NEAR(renderer.viewBoxF().width(), graph.width(), 1);
  EXPECT_NEAR(renderer.viewBoxF().height(), graph.height(), 1);
  // Nothing else left in the folder (no temporary files).
  EXPECT_EQ(QDir(QString::fromStdString(dir.path().string())).entryList(QDir::Files).size(), 2);
}

// Ranks of the layout with a node inside `part` of the scene.
int ranksWithin(const GraphView& view, const QRectF& part) {
  const auto& layout = view.graphScene()->graphLayout();
  std::set<uint32_t> ranks;
  for (size_t n = 0; n < layout.nodes.size(); ++n)
    if (part.contains(view.graphScene()->nodeItems()[n]->rect())) ranks.insert(layout.nodes[n].rank);
  return static_cast<int>(ranks.size());
}

// Legible: at least this many image pixels per rank of ops (a rank is a
// node's box plus the gap to the next, about 80 units at 100%).
constexpr double kLegiblePixelsPerRank = 20;

TEST(GraphView, PngOfATallGraphIsNeverScaledBelowFullSize) {
  // ~150 ranks of ~115 units: taller than the 16 384 px the export used to
  // squeeze every graph into, but it fits whole at 100%.
  const auto model = std::make_shared<const Model>(qs::test::fc_chain_model(150, 2));
  auto view = makeView();
  view->setModel(model, 0);
  const QRectF graph = view->graphScene()->graphRect();
  ASSERT_GT(graph.height(), 16384);
  ASSERT_LT(graph.height(), GraphView::kPngMaxSide);

  qs::test::TempDir dir("qs-graph-export");
  const QString png = QString::fromStdString((dir / "chain.png").string());
  QString error;
  GraphView::PngExport done;
  ASSERT_TRUE(view->exportPng(png, &error, &done)) << error.toStdString();
  EXPECT_FALSE(done.cropped);
  EXPECT_EQ(done.source, graph);
  EXPECT_GE(done.scale, 1.0);
  const QSize size = QImageReader(png).size();
  EXPECT_GE(size.height(), graph.height() - 1);
  const int ranks = static_cast<int>(view->graphScene()->graphLayout().rank_count);
  EXPECT_GE(ranks, 150);
  EXPECT_GE(size.height() / static_cast<double>(ranks), kLegiblePixelsPerRank);
}

TEST(GraphView, PngOfAGraphTooTallForOneImageIsALegiblePartRoundTheView) {
  // ~1 500 ranks: some 170 000 units tall, far past one PNG at 100%.
  const auto model = std::make_shared<const Model>(qs::test::fc_chain_model(1500, 2));
  auto view = makeView();
  view->setModel(model, 0);
  const QRectF graph = view->graphScene()->graphRect();
  ASSERT_GT(graph.height(), 4 * GraphView::kPngMaxSide);
  constexpr int kFocusOp = 700;
  view->selectOp(kFocusOp);  // centres the view on it

  qs::test::TempDir dir("qs-graph-export");
  const QString png = QString::fromStdString((dir / "chain.png").string());
  QString error;
  GraphView::PngExport done;
  ASSERT_TRUE(view->exportPng(png, &error, &done)) << error.toStdString();
  EXPECT_TRUE(done.cropped);
  EXPECT_EQ(done.scale, 1.0);
  const QSize size = QImageReader(png).size();
  EXPECT_LE(size.height(), GraphView::kPngMaxSide);
  EXPECT_GT(size.height(), GraphView::kPngMaxSide * 0.9);  // as much as fits
  EXPECT_NEAR(size.width(), graph.width(), 1);             // the full width
  EXPECT_NEAR(size.height(), done.source.height(), 1);

  // Legible, and about what the user was looking at.
  const int ranks = ranksWithin(*view, done.source);
  ASSERT_GT(ranks, 100);
  EXPECT_GE(size.height() / static_cast<double>(ranks), kLegiblePixelsPerRank);
  EXPECT_TRUE(done.source.contains(view->graphScene()->opItem(kFocusOp)->rect()));
  // Cut between ranks: no node box is split by the image's top or bottom.
  for (const GraphNodeItem* node : view->graphScene()->nodeItems()) {
    const QRectF r = node->rect();
    const bool inside = done.source.contains(r);
    const bool outside = r.bottom() <= done.source.top() || r.top() >= done.source.bottom();
    EXPECT_TRUE(inside || outside) << "node " << node->node() << " is cut";
  }

  // A look at the middle of it, for a human.
  QImageReader reader(png);
  reader.setClipRect(QRect(0, size.height() / 2 - 600, size.width(), 1200));
  const QImage middle = reader.read();
  ASSERT_FALSE(middle.isNull()) << reader.errorString().toStdString();
  EXPECT_TRUE(middle.save(artifactsDir() + QStringLiteral("/graph_tall_chain_export_middle.png")));
}

TEST(GraphView, ExportToAMissingFolderFailsAndLeavesNoFile) {
  QS_REQUIRE_CORPUS();
  const auto model = loadModel(kMultiSignature);
  ASSERT_TRUE(model);
  auto view = makeView();
  view->setModel(model, 0);
  qs::test::TempDir dir("qs-graph-export");
  const QString png = QString::fromStdString((dir / "missing" / "graph.png").string());
  const QString svg = QString::fromStdString((dir / "missing" / "graph.svg").string());
  QString error;
  EXPECT_FALSE(view->exportPng(png, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("graph.png"))) << error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(png));
  error.clear();
  EXPECT_FALSE(view->exportSvg(svg, &error));
  EXPECT_FALSE(error.isEmpty());
  EXPECT_FALSE(QFileInfo::exists(svg));
  EXPECT_TRUE(QDir(QString::fromStdString(dir.path().string()))
                  .entryList(QDir::AllEntries | QDir::NoDotAndDotDot)
                  .isEmpty());
}

// Screenshots -----------------------------------------------------------------

TEST(GraphView, SavesScreenshotsForReview) {
  QS_REQUIRE_CORPUS();
  const struct {
    const char* model;
    const char* name;
  } cases[] = {{kMobilenet, "mobilenet"},
               {kFaceDetection, "face_detection"},
               {kMultiSignature, "multi_signature"},
               {kNestedWhile, "nested_while"}};
  for (const auto& c : cases) {
    const auto model = loadModel(c.model);
    ASSERT_TRUE(model);
    for (size_t sg = 0; sg < model->subgraphs.size(); ++sg) {
      auto view = makeView();
      view->setModel(model, static_cast<int>(sg));
      view->fitToView();
      QCoreApplication::processEvents();
      const QString suffix = model->subgraphs.size() > 1 ? QStringLiteral("_sg%1").arg(sg) : QString();
      saveScreenshot(*view, QStringLiteral("graph_%1%2_fit").arg(QLatin1String(c.name), suffix));
    }
  }
  // Exports of a mid-size graph, and the SVG as a browser would draw it.
  {
    const auto model = loadModel(kFaceDetection);
    auto view = makeView();
    view->setModel(model, 0);
    QString error;
    const QString base = artifactsDir() + QStringLiteral("/graph_face_detection_export");
    EXPECT_TRUE(view->exportPng(base + QStringLiteral(".png"), &error)) << error.toStdString();
    EXPECT_TRUE(view->exportSvg(base + QStringLiteral(".svg"), &error)) << error.toStdString();
    QSvgRenderer renderer(base + QStringLiteral(".svg"));
    ASSERT_TRUE(renderer.isValid());
    // The top 1200 x 900 units at 100%.
    QImage top(1200, 900, QImage::Format_RGB32);
    top.fill(Qt::white);
    QPainter painter(&top);
    const QRectF box = renderer.viewBoxF();
    painter.translate((1200 - box.width()) / 2, 0);
    renderer.render(&painter, QRectF(QPointF(0, 0), box.size()));
    painter.end();
    EXPECT_TRUE(top.save(base + QStringLiteral("_svg_top.png")));
  }

  // Big graphs at 100%, from the top; and with a selection.
  for (const auto& c : {cases[0], cases[1]}) {
    const auto model = loadModel(c.model);
    auto view = makeView();
    view->setModel(model, 0);
    view->resetZoom();
    view->verticalScrollBar()->setValue(view->verticalScrollBar()->minimum());
    QCoreApplication::processEvents();
    saveScreenshot(*view, QStringLiteral("graph_%1_100_top").arg(QLatin1String(c.name)));
    view->selectOp(4);
    QCoreApplication::processEvents();
    saveScreenshot(*view, QStringLiteral("graph_%1_100_selected").arg(QLatin1String(c.name)));
  }
  // The find bar at work: every CONV_2D marked, the second one current.
  {
    const auto model = loadModel(kFaceDetection);
    auto view = makeView();
    view->setModel(model, 0);
    GraphFindBar bar(view.get());
    bar.lineEdit()->setText(QStringLiteral("conv_2d"));
    bar.findNext();
    saveScreenshot(*view, QStringLiteral("graph_face_detection_find"));
    view->setZoom(0.2);
    saveScreenshot(*view, QStringLiteral("graph_face_detection_find_20"));
  }
}

// Big graphs ------------------------------------------------------------------

TEST(GraphView, OpensASyntheticTenThousandOpModel) {
  const auto model = std::make_shared<const Model>(qs::test::branchy_chain_model(2000));
  ASSERT_EQ(model->subgraphs[0].operators.size(), 10000u);
  auto view = makeView();
  view->setModel(model, 0);
  const auto graph = qs::layout::build_model_graph(*model, 0);
  const auto counts = countItems(*view);
  EXPECT_EQ(counts.nodes, graph.nodes.size());
  EXPECT_EQ(counts.nodes, 10002u);  // ops + input + output
  EXPECT_EQ(counts.edges, graph.edges.size());
  const auto& timings = view->buildTimings();
  std::printf("10000 ops: graph %.1f ms, layout %.1f ms, scene %.1f ms\n", timings.graphMs, timings.layoutMs,
              timings.sceneMs);

  // Paints, at 100% and zoomed right out; finds; selects far away.
  EXPECT_FALSE(view->grab().toImage().isNull());
  view->fitToView();
  EXPECT_FALSE(view->grab().toImage().isNull());
  EXPECT_EQ(view->find(QStringLiteral("CONCATENATION")).size(), 2000);
  view->selectOp(9999);
  EXPECT_EQ(view->selectedOp(), 9999);
  EXPECT_TRUE(view->mapToScene(view->viewport()->rect())
                  .boundingRect()
                  .contains(view->graphScene()->opItem(9999)->rect().center()));
  saveScreenshot(*view, QStringLiteral("graph_synthetic_10k_end"));
}

}  // namespace
