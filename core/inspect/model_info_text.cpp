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

// TFLite Metadata: one line per fact, descriptions on their own lines
// beneath what they describe, so long texts don't hide the short facts.
void file_lines(std::ostringstream& out, const std::string& indent,
                const std::vector<AssociatedFile>& files) {
  for (const auto& f : files) {
    out << indent << "file " << describe(f);
    if (!f.description.empty()) out << ": " << f.description;
    out << '\n';
  }
}

void tensor_metadata_line(std::ostringstream& out, const std::string& indent, const char* direction,
                          size_t position, const TensorMetadata& t) {
  out << indent << direction << ' ' << position << ' ' << (t.name.empty() ? "(unnamed)" : "'" + t.name + "'");
  std::vector<std::string> facts;
  if (t.content) facts.push_back(describe(*t.content));
  for (const auto& u : t.process_units) facts.push_back(describe(u));
  facts.push_back(describe(t.stats));
  if (!t.dimension_names.empty()) {
    std::string dims = "dimensions";
    for (const auto& d : t.dimension_names) dims += ' ' + d;
    facts.push_back(std::move(dims));
  }
  const char* separator = ": ";
  for (const auto& f : facts) {
    if (f.empty()) continue;
    out << separator << f;
    separator = "; ";
  }
  out << '\n';
  const std::string deeper = indent + "  ";
  if (!t.description.empty()) out << deeper << t.description << '\n';
  file_lines(out, deeper, t.associated_files);
}

void subgraph_metadata_lines(std::ostringstream& out, size_t index, const SubgraphMetadata& s) {
  out << "    subgraph " << index;
  if (!s.name.empty()) out << " '" << s.name << "'";
  out << ":\n";
  if (!s.description.empty()) out << "      " << s.description << '\n';
  for (size_t i = 0; i < s.inputs.size(); ++i) tensor_metadata_line(out, "      ", "input", i, s.inputs[i]);
  for (size_t i = 0; i < s.outputs.size(); ++i)
    tensor_metadata_line(out, "      ", "output", i, s.outputs[i]);
  for (const auto& u : s.input_process_units) out << "      input processing: " << describe(u) << '\n';
  for (const auto& u : s.output_process_units) out << "      output processing: " << describe(u) << '\n';
  for (const auto& [label, groups] :
       {std::pair{"input group", &s.input_groups}, std::pair{"output group", &s.output_groups}}) {
    for (const auto& g : *groups) {
      out << "      " << label << " '" << g.name << "':";
      for (const auto& n : g.tensor_names) out << ' ' << n;
      out << '\n';
    }
  }
  for (const auto& c : s.custom_metadata)
    out << "      custom metadata '" << c.name << "' (" << human_bytes(c.bytes) << ")\n";
  file_lines(out, "      ", s.associated_files);
}

void tflite_metadata_lines(std::ostringstream& out, const ModelInfo& info) {
  if (!info.tflite_metadata_error.empty()) {
    out << "  model metadata (" << kTfliteMetadataName << "): not decoded: " << info.tflite_metadata_error
        << '\n';
    return;
  }
  if (!info.tflite_metadata) return;
  const TfliteMetadata& m = *info.tflite_metadata;
  out << "  model metadata (" << kTfliteMetadataName << "):\n";
  for (const auto& [label, value] :
       {std::pair{"name", &m.name}, std::pair{"description", &m.description},
        std::pair{"version", &m.version}, std::pair{"author", &m.author}, std::pair{"license", &m.license},
        std::pair{"min parser version", &m.min_parser_version}}) {
    if (!value->empty()) out << "    " << label << ": " << *value << '\n';
  }
  file_lines(out, "    ", m.associated_files);
  for (size_t i = 0; i < m.subgraphs.size(); ++i) subgraph_metadata_lines(out, i, m.subgraphs[i]);
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
  tflite_metadata_lines(out, info);
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
