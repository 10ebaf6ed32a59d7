#pragma once
// The parts register_shape_ops() is made of, one per file of this folder.

#include "runtime/kernel_registry.h"

namespace qs::runtime::kernels {

void register_shape_reshape(KernelRegistry& registry);  // RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, RANK
void register_shape_layout(
    KernelRegistry& registry);  // TRANSPOSE, REVERSE_V2, SPACE/DEPTH/BATCH rearrangements
void register_shape_join(KernelRegistry& registry);  // CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V
void register_slice_ops(KernelRegistry& registry);   // SLICE, STRIDED_SLICE, DYNAMIC_UPDATE_SLICE
void register_shape_gather(
    KernelRegistry& registry);  // GATHER, GATHER_ND, EMBEDDING_LOOKUP, SCATTER_ND, ONE_HOT, TOPK_V2
void register_shape_fill(KernelRegistry& registry);     // PAD, PADV2, MIRROR_PAD, TILE, BROADCAST_TO, RANGE
void register_shape_densify(KernelRegistry& registry);  // DENSIFY

}  // namespace qs::runtime::kernels
