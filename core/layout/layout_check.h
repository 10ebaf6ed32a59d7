#pragma once
// The promises of compute_layered_layout, as a check anyone can run on a
// result: tests run it on every model of the corpus, the view may run it in
// debug builds, a fuzzer after every layout.

#include "common/status.h"
#include "layout/graph.h"
#include "layout/layered_layout.h"

namespace qs::layout {

// Fails with the first broken promise, naming the node or edge:
//  - one placement per node, at the node's size (negative or non-finite
//    sizes read as 0), inside `bounds`, whose corner is (0, 0);
//  - ranks are bands: every node of rank r lies in one horizontal band, the
//    bands of successive ranks are disjoint and ordered top to bottom;
//  - no two node boxes intersect; neighbours on a rank are at least
//    min(node_spacing, 2 * edge_spacing, component_spacing) apart;
//  - every edge between existing nodes has a polyline that starts and ends
//    where EdgeRoute says, moves monotonically in y, never passes through a
//    node's box inside a band, and goes down (source rank < target rank)
//    unless it is marked reversed (then source rank > target rank);
//  - an edge naming a missing node has no polyline.
Status check_layout(const Graph& graph, const Layout& layout, const LayoutOptions& options = {});

}  // namespace qs::layout
