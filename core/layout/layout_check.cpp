#include "layout/layout_check.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qs::layout {
namespace {

// Coordinates are sums of a few doubles; rounding differs by far less.
constexpr double kEps = 1e-6;

double clamped(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

bool near(const Point& a, const Point& b) {
  return std::abs(a.x - b.x) <= kEps && std::abs(a.y - b.y) <= kEps;
}

std::string str(const Point& p) { return cat("(", p.x, ", ", p.y, ")"); }

struct Band {
  double top = 0;
  double bottom = 0;
  std::vector<uint32_t> nodes;  // by x
};

class Checker {
 public:
  Checker(const Graph& graph, const Layout& layout, const LayoutOptions& options)
      : graph_(graph), layout_(layout), options_(options) {}

  Status run() {
    if (auto s = check_counts(); !s) return s;
    if (auto s = check_nodes(); !s) return s;
    if (auto s = check_bands(); !s) return s;
    for (uint32_t e = 0; e < graph_.edges.size(); ++e) {
      if (auto s = check_edge(e); !s) return s;
    }
    return {};
  }

 private:
  Status check_counts() const {
    if (layout_.nodes.size() != graph_.nodes.size() || layout_.edges.size() != graph_.edges.size()) {
      return fail(cat("layout has ", layout_.nodes.size(), " nodes and ", layout_.edges.size(),
                      " edges for a graph of ", graph_.nodes.size(), " and ", graph_.edges.size()));
    }
    if (layout_.bounds.x != 0 || layout_.bounds.y != 0) return fail("bounds do not start at (0, 0)");
    return {};
  }

  bool in_bounds(const Point& p) const {
    const auto& b = layout_.bounds;
    return std::isfinite(p.x) && std::isfinite(p.y) && p.x >= b.x - kEps && p.y >= b.y - kEps &&
           p.x <= b.right() + kEps && p.y <= b.bottom() + kEps;
  }

  Status check_nodes() const {
    for (uint32_t v = 0; v < graph_.nodes.size(); ++v) {
      const auto& rect = layout_.nodes[v].rect;
      if (rect.width != clamped(graph_.nodes[v].width) || rect.height != clamped(graph_.nodes[v].height)) {
        return fail(cat("node ", v, " is ", rect.width, "x", rect.height, ", not its given size"));
      }
      if (!in_bounds({rect.x, rect.y}) || !in_bounds({rect.right(), rect.bottom()})) {
        return fail(cat("node ", v, " lies outside the bounds"));
      }
      if (layout_.nodes[v].rank >= layout_.rank_count) {
        return fail(cat("node ", v, " has rank ", layout_.nodes[v].rank, " of ", layout_.rank_count));
      }
    }
    return {};
  }

  Status check_bands() {
    bands_.assign(layout_.rank_count, {});
    for (auto& band : bands_) {
      band.top = INFINITY;
      band.bottom = -INFINITY;
    }
    for (uint32_t v = 0; v < graph_.nodes.size(); ++v) {
      const auto& placement = layout_.nodes[v];
      auto& band = bands_[placement.rank];
      band.top = std::min(band.top, placement.rect.y);
      band.bottom = std::max(band.bottom, placement.rect.bottom());
      band.nodes.push_back(v);
    }
    const auto gap = std::min({options_.node_spacing, 2 * options_.edge_spacing, options_.component_spacing});
    const auto min_gap = std::max(clamped(gap), 0.0) - kEps;
    double previous_bottom = -INFINITY;
    for (uint32_t r = 0; r < bands_.size(); ++r) {
      auto& band = bands_[r];
      if (band.nodes.empty()) return fail(cat("rank ", r, " has no node"));
      if (band.top < previous_bottom + clamped(options_.rank_spacing) - kEps) {
        return fail(cat("rank ", r, " overlaps the rank above or is closer than the rank spacing"));
      }
      previous_bottom = band.bottom;
      std::sort(band.nodes.begin(), band.nodes.end(), [&](uint32_t a, uint32_t b) {
        return layout_.nodes[a].rect.x != layout_.nodes[b].rect.x
                   ? layout_.nodes[a].rect.x < layout_.nodes[b].rect.x
                   : a < b;
      });
      for (size_t i = 1; i < band.nodes.size(); ++i) {
        const auto& left = layout_.nodes[band.nodes[i - 1]].rect;
        const auto& right = layout_.nodes[band.nodes[i]].rect;
        if (right.x < left.right() + min_gap) {
          return fail(cat("nodes ", band.nodes[i - 1], " and ", band.nodes[i], " on rank ", r,
                          " overlap or are closer than the spacing"));
        }
      }
    }
    return {};
  }

  // The band a point inside the drawing lies in, if any.
  const Band* band_at(double y) const {
    const auto it = std::partition_point(bands_.begin(), bands_.end(),
                                         [&](const Band& b) { return b.bottom < y - kEps; });
    return it != bands_.end() && it->top <= y + kEps ? &*it : nullptr;
  }

  // True when x is strictly inside some node box of `band`.
  bool hits_node(const Band& band, double x) const {
    const auto it = std::partition_point(band.nodes.begin(), band.nodes.end(), [&](uint32_t v) {
      return layout_.nodes[v].rect.right() <= x + kEps;
    });
    return it != band.nodes.end() && layout_.nodes[*it].rect.x < x - kEps;
  }

  Status check_edge(uint32_t e) const {
    const auto& edge = graph_.edges[e];
    const auto& route = layout_.edges[e];
    const auto& points = route.points;
    if (edge.from >= graph_.nodes.size() || edge.to >= graph_.nodes.size()) {
      return points.empty() ? Status{} : fail(cat("edge ", e, " names a missing node but has a polyline"));
    }
    if (points.size() < 2) return fail(cat("edge ", e, " has ", points.size(), " points"));
    for (const auto& p : points) {
      if (!in_bounds(p)) return fail(cat("edge ", e, " point ", str(p), " lies outside the bounds"));
    }
    const auto& from = layout_.nodes[edge.from];
    const auto& to = layout_.nodes[edge.to];
    if (edge.from == edge.to) {
      if (!near(points.front(), from.rect.bottom_centre()) || !near(points.back(), from.rect.top_centre())) {
        return fail(cat("self-loop ", e, " does not leave the bottom and enter the top of node ", edge.from));
      }
      return {};
    }
    const bool down = !route.reversed;
    if (down ? from.rank >= to.rank : from.rank <= to.rank) {
      return fail(cat("edge ", e, (down ? " (downward)" : " (reversed)"), " goes from rank ", from.rank,
                      " to rank ", to.rank));
    }
    const auto start = down ? from.rect.bottom_centre() : from.rect.top_centre();
    const auto end = down ? to.rect.top_centre() : to.rect.bottom_centre();
    if (!near(points.front(), start)) {
      return fail(cat("edge ", e, " starts at ", str(points.front()), ", not at ", str(start), " on node ",
                      edge.from));
    }
    if (!near(points.back(), end)) {
      return fail(
          cat("edge ", e, " ends at ", str(points.back()), ", not at ", str(end), " on node ", edge.to));
    }
    for (size_t i = 1; i < points.size(); ++i) {
      const auto dy = points[i].y - points[i - 1].y;
      if (down ? dy < -kEps : dy > kEps) return fail(cat("edge ", e, " turns back at point ", i));
    }
    for (size_t i = 1; i + 1 < points.size(); ++i) {
      const auto* band = band_at(points[i].y);
      if (band != nullptr && hits_node(*band, points[i].x)) {
        return fail(cat("edge ", e, " passes through a node at ", str(points[i])));
      }
    }
    return {};
  }

  const Graph& graph_;
  const Layout& layout_;
  const LayoutOptions& options_;
  std::vector<Band> bands_;
};

}  // namespace

Status check_layout(const Graph& graph, const Layout& layout, const LayoutOptions& options) {
  return Checker(graph, layout, options).run();
}

}  // namespace qs::layout
