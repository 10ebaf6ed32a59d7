// bench_graph_view: how fast does the graph view open and scroll a
// 10 000-op model? A report, not a test: it prints figures and exits 0
// whatever they are (non-zero only if the view fails to build the scene).
//
//   bench_graph_view [BLOCKS]   (default 2000 blocks of 5 ops = 10 000 ops)
//
// Runs offscreen (QT_QPA_PLATFORM defaults to "offscreen"). Figures:
//   - build_model_graph and layout_model_graph alone (core, best of 5);
//   - the view's own phases in setModel (graph, layout, scene: measuring
//     text, creating and indexing items), and setModel in total;
//   - first paint: the viewport rendered into an image right after setModel;
//   - scrolling: N scroll steps, each followed by a synchronous repaint of
//     what the scroll exposed (what a user sees), and the same with the
//     whole viewport re-rendered every frame (the worst case), at 100%, at
//     50% (titles only) and zoomed out to the whole graph (blocks);
//   - exporting the whole graph as PNG and as SVG.

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "layout/model_graph.h"
#include "support/model_builder.h"
#include "support/temp_dir.h"
#include "widgets/graph_view.h"

namespace {

using qs::format::BuiltinOp;
using qs::format::Model;
using qs::format::TensorType;


double ms(const QElapsedTimer& timer) { return static_cast<double>(timer.nsecsElapsed()) / 1e6; }

template <class F>
double bestOf(int runs, F&& f) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    QElapsedTimer timer;
    timer.start();
    f();
    best = std::min(best, ms(timer));
  }
  return best;
}

long rssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * 4096 / (1024 * 1024);
}

struct ScrollFigures {
  double incremental = 0;  // ms per frame
  double full = 0;
};

// `frames` steps of `step` viewport pixels down (bouncing at the ends).
ScrollFigures scroll(qs::widgets::GraphView& view, int frames, int step) {
  ScrollFigures figures;
  QScrollBar* bar = view.verticalScrollBar();
  QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
  const auto run = [&](bool full) {
    bar->setValue(bar->minimum());
    QApplication::processEvents();
    view.viewport()->repaint();
    int direction = 1;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < frames; ++i) {
      int next = bar->value() + direction * step;
      if (next > bar->maximum() || next < bar->minimum()) {
        direction = -direction;
        next = bar->value() + direction * step;
      }
      bar->setValue(next);
      if (full) {
        view.viewport()->render(&image);
      } else {
        view.viewport()->repaint();
      }
    }
    return ms(timer) / frames;
  };
  figures.incremental = run(false);
  figures.full = run(true);
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  const int blocks = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2000;

  const auto model = std::make_shared<const Model>(qs::test::branchy_chain_model(blocks));
  const auto& sg = model->subgraphs[0];
  std::printf("bench_graph_view: %zu ops, %zu tensors (Qt %s, platform %s)\n", sg.operators.size(),
              sg.tensors.size(), qVersion(), qPrintable(QGuiApplication::platformName()));

  // Core alone.
  qs::layout::ModelGraph graph;
  const double graphMs = bestOf(5, [&] { graph = qs::layout::build_model_graph(*model, 0); });
  qs::layout::Layout layout;
  const double layoutMs = bestOf(5, [&] { layout = qs::layout::layout_model_graph(graph); });
  std::printf(
      "core: build_model_graph %.1f ms (%zu nodes, %zu edges), layout_model_graph %.1f ms (%u ranks)\n",
      graphMs, graph.nodes.size(), graph.edges.size(), layoutMs, layout.rank_count);

  // The view: open and first paint.
  const long rssBefore = rssMiB();
  qs::widgets::GraphView view;
  view.resize(1600, 1000);
  view.show();
  QApplication::processEvents();

  QElapsedTimer open;
  open.start();
  view.setModel(model, 0);
  const double setModelMs = ms(open);
  QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
  QElapsedTimer paint;
  paint.start();
  view.viewport()->render(&image);
  const double firstPaintMs = ms(paint);
  const double openMs = ms(open);
  const auto& t = view.buildTimings();
  if (view.graphScene()->nodeItems().size() != graph.nodes.size()) {
    std::fprintf(stderr, "bench_graph_view: FAILED: %zu node items for %zu nodes\n",
                 view.graphScene()->nodeItems().size(), graph.nodes.size());
    return 1;
  }
  std::printf(
      "view: setModel %.1f ms = build_model_graph %.1f + layout %.1f + scene build %.1f (+ overview)\n",
      setModelMs, t.graphMs, t.layoutMs, t.sceneMs);
  std::printf("view: first paint %.1f ms (%dx%d at %.0f%%); open to first paint %.1f ms\n", firstPaintMs,
              image.width(), image.height(), view.zoom() * 100, openMs);
  std::printf("view: scene %.0f x %.0f units, %zu items; RSS +%ld MiB\n",
              view.graphScene()->graphRect().width(), view.graphScene()->graphRect().height(),
              view.graphScene()->nodeItems().size() + view.graphScene()->edgeItems().size(),
              rssMiB() - rssBefore);

  // A second open of the same model (caches warm).
  QElapsedTimer reopen;
  reopen.start();
  view.setModel(model, 0);
  view.viewport()->render(&image);
  std::printf("view: reopen + paint %.1f ms\n", ms(reopen));

  constexpr int kFrames = 200;
  const struct {
    const char* name;
    double zoom;
  } zooms[] = {{"100%", 1.0}, {"50% (titles only)", 0.5}, {"25% (blocks)", 0.25}};
  for (const auto& z : zooms) {
    view.setZoom(z.zoom);
    const auto f = scroll(view, kFrames, 40);
    std::printf("scroll at %-18s %d frames of 40 px: %.2f ms/frame incremental, %.2f ms/frame full repaint\n",
                z.name, kFrames, f.incremental, f.full);
  }
  view.fitToView();
  QElapsedTimer whole;
  whole.start();
  constexpr int kWholeFrames = 10;
  for (int i = 0; i < kWholeFrames; ++i) view.viewport()->render(&image);
  std::printf("whole graph in view (zoom %.4f): %.1f ms/frame full repaint\n", view.zoom(),
              ms(whole) / kWholeFrames);

  // Selecting far away (centre + repaint).
  QElapsedTimer select;
  select.start();
  view.selectOp(static_cast<int>(sg.operators.size()) - 1);
  view.viewport()->render(&image);
  std::printf("select last op + paint: %.1f ms\n", ms(select));
  QElapsedTimer find;
  find.start();
  const auto hits = view.find(QStringLiteral("block1"));
  std::printf("find \"block1\": %lld hits in %.1f ms\n", static_cast<long long>(hits.size()), ms(find));

  // Exports of the whole graph (PNG scaled to the 16k cap).
  qs::test::TempDir dir("qs-bench-graph");
  const QString png = QString::fromStdString((dir / "graph.png").string());
  const QString svg = QString::fromStdString((dir / "graph.svg").string());
  QString error;
  QElapsedTimer exportTimer;
  exportTimer.start();
  if (!view.exportPng(png, &error))
    std::fprintf(stderr, "bench_graph_view: PNG export failed: %s\n", qPrintable(error));
  const double pngMs = ms(exportTimer);
  exportTimer.restart();
  if (!view.exportSvg(svg, &error))
    std::fprintf(stderr, "bench_graph_view: SVG export failed: %s\n", qPrintable(error));
  const double svgMs = ms(exportTimer);
  const QImage exported(png);
  std::printf("export: PNG %.0f ms (%dx%d, %lld KiB), SVG %.0f ms (%lld KiB)\n", pngMs, exported.width(),
              exported.height(), static_cast<long long>(QFileInfo(png).size() / 1024), svgMs,
              static_cast<long long>(QFileInfo(svg).size() / 1024));
  return 0;
}
