#include <iomanip>
#include <sstream>

#include "format/tensor_type.h"
#include "inspect/model_info.h"

namespace qs::inspect {

namespace {

std::string human_bytes(uint64_t n) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(units)) {
    v /= 1024.0;
    ++u;
  }
  std::ostringstream out;
  if (u == 0) {
    out << n << " B";
  } else {
    out << std::fixed << std::setprecision(1) << v << ' ' << units[u];
  }
  return out.str();
}

std::string quant_text(const format::Quantization& q) {
  std::ostringstream out;
  if (q.scale.size() == 1) {
    out << " q(scale=" << q.scale[0] << ", zp=" << (q.zero_point.empty() ? 0 : q.zero_point[0]) << ")";
  } else if (q.scale.size() > 1) {
    out << " q(" << q.scale.size() << " channels along dim " << q.quantized_dimension << ")";
  }
  if (!q.min.empty() && !q.max.empty()) out << " range[" << q.min[0] << ", " << q.max[0] << "]";
  return out.str();
}

void tensor_line(std::ostringstream& out, const std::string& indent, const TensorSummary& t) {
  out << indent << '#' << t.index << ' ' << (t.name.empty() ? "(unnamed)" : t.name) << ": " << t.type
      << format::shape_string(t.shape);
  if (!t.shape_signature.empty() && t.shape_signature != t.shape) {
    out << " signature " << format::shape_string(t.shape_signature);
  }
  if (t.quantization) out << quant_text(*t.quantization);
  out << '\n';
}

}  // namespace

std::string to_text(const ModelInfo& info) {
  std::ostringstream out;
  out << info.path << '\n';
  out << "  size: " << human_bytes(info.file_bytes) << " (" << info.file_bytes << " bytes), schema version "
      << info.schema_version << '\n';
  if (!info.description.empty()) out << "  description: " << info.description << '\n';
  if (!info.metadata.empty()) {
    out << "  metadata:";
    for (const auto& m : info.metadata) out << ' ' << m.name << " (" << human_bytes(m.bytes) << ")";
    out << '\n';
  }
  out << "  parameters: " << info.parameter_count << " in " << human_bytes(info.parameter_bytes) << '\n';
  for (const auto& [type, t] : info.parameters_by_type) {
    out << "    " << std::left << std::setw(10) << type << std::right << std::setw(12) << t.elements
        << " values in " << t.tensors << " tensors, " << human_bytes(t.bytes) << '\n';
  }
  for (const auto& s : info.subgraphs) {
    out << "  subgraph " << s.index;
    if (!s.name.empty()) out << " '" << s.name << "'";
    out << ": " << s.operator_count << " ops, " << s.tensor_count << " tensors\n";
    out << "    inputs:\n";
    for (const auto& t : s.inputs) tensor_line(out, "      ", t);
    out << "    outputs:\n";
    for (const auto& t : s.outputs) tensor_line(out, "      ", t);
  }
  out << "  operators (" << info.operator_count << "):\n";
  for (const auto& [name, n] : info.operators) out << "    " << std::left << std::setw(32) << name << std::right << n << '\n';
  if (!info.signatures.empty()) {
    out << "  signatures:\n";
    for (const auto& s : info.signatures) {
      out << "    '" << s.key << "' -> subgraph " << s.subgraph << '\n';
      for (const auto& [alias, t] : s.inputs) {
        out << "      in  " << alias << " = ";
        tensor_line(out, "", t);
      }
      for (const auto& [alias, t] : s.outputs) {
        out << "      out " << alias << " = ";
        tensor_line(out, "", t);
      }
    }
  }
  return out.str();
}

}  // namespace qs::inspect
