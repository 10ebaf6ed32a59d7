// `info --json` must agree with CATALOG.tsv, which was written from the
// files by an independent tool: inputs and outputs of subgraph 0, operator
// histogram, tensor types, subgraph count and metadata, for every model.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "format/model_file.h"
#include "inspect/model_info.h"
#include "support/corpus.h"

namespace qs::inspect {
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    out.push_back(s.substr(start, at - start));
  }
  out.push_back(s.substr(start));
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  return s;
}

// "A:3,CUSTOM:Foo:1" -> {A:3, CUSTOM:Foo:1}; the count follows the last colon.
std::map<std::string, size_t> parse_counts(const std::string& field) {
  std::map<std::string, size_t> out;
  for (const auto& item : split(field, ",")) {
    const auto colon = item.rfind(':');
    if (colon == std::string::npos) continue;
    out[item.substr(0, colon)] = std::stoul(item.substr(colon + 1));
  }
  return out;
}

std::vector<int> parse_ints(const std::string& list) {
  std::vector<int> out;
  for (const auto& item : split(list, ",")) {
    if (!trim(item).empty()) out.push_back(std::stoi(item));
  }
  return out;
}

std::map<std::string, size_t> json_counts(const json& j) {
  std::map<std::string, size_t> out;
  for (const auto& [k, v] : j.items()) out[k] = v.get<size_t>();
  return out;
}

using Row = std::map<std::string, std::string>;

std::vector<Row> read_catalog() {
  std::ifstream in(test::shared_dir() / "models" / "CATALOG.tsv");
  std::string line;
  std::getline(in, line);
  const auto header = split(line, "\t");
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (trim(line).empty()) continue;
    const auto cells = split(line, "\t");
    Row row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// One catalog I/O entry: name:TYPE[shape]sig=[...]q(scale=...,zp=...).
void expect_tensor_matches(const std::string& entry, const json& tensor, const std::string& where) {
  static const std::regex pattern(
      R"(^(.*):([A-Z0-9_]+)\[([-0-9,]*)\](?:sig=\[([-0-9,]*)\])?(?:q\(scale=([^,]+),zp=(-?[0-9]+)\))?$)");
  std::smatch m;
  const std::string e = trim(entry);
  ASSERT_TRUE(std::regex_match(e, m, pattern)) << where << ": cannot parse catalog entry '" << e << "'";
  EXPECT_EQ(tensor["name"].get<std::string>(), m[1].str()) << where;
  EXPECT_EQ(tensor["type"].get<std::string>(), m[2].str()) << where;
  EXPECT_EQ(tensor["shape"].get<std::vector<int>>(), parse_ints(m[3].str())) << where;
  if (m[4].matched) {
    ASSERT_TRUE(tensor.contains("shape_signature")) << where;
    EXPECT_EQ(tensor["shape_signature"].get<std::vector<int>>(), parse_ints(m[4].str())) << where;
  } else if (tensor.contains("shape_signature")) {
    // The catalog prints a signature only where it differs from the shape.
    EXPECT_EQ(tensor["shape_signature"], tensor["shape"]) << where;
  }
  if (m[5].matched) {
    ASSERT_FALSE(tensor["quantization"].is_null()) << where;
    const auto& q = tensor["quantization"];
    ASSERT_EQ(q["scale"].size(), 1u) << where;
    const double expected = std::stod(m[5].str());
    // The catalog prints scales rounded to 8 decimals, so tiny scales keep
    // only a digit or two: allow half a unit of the 8th decimal.
    EXPECT_NEAR(q["scale"][0].get<double>(), expected, std::max(std::abs(expected) * 1e-5, 5.01e-9)) << where;
    EXPECT_EQ(q["zero_point"][0].get<long>(), std::stol(m[6].str())) << where;
  } else if (!tensor["quantization"].is_null()) {
    EXPECT_TRUE(tensor["quantization"]["scale"].empty()) << where << ": catalog lists no quantization";
  }
}

void expect_io_matches(const std::string& field, const json& tensors, const std::string& where) {
  const auto entries = split(field, " ; ");
  ASSERT_EQ(entries.size(), tensors.size()) << where << ": catalog '" << field << "'";
  for (size_t i = 0; i < entries.size(); ++i) {
    expect_tensor_matches(entries[i], tensors[i], where + " #" + std::to_string(i));
  }
}

TEST(Catalog, InfoAgreesWithCatalogForEveryModel) {
  QS_REQUIRE_CORPUS();
  const auto rows = read_catalog();
  ASSERT_GE(rows.size(), 150u);
  size_t checked = 0;
  for (const auto& row : rows) {
    const std::string name = row.at("file");
    SCOPED_TRACE(name);
    auto file = format::ModelFile::open(test::corpus_model(name));
    ASSERT_TRUE(file) << file.error().message;
    const json info = json::parse(to_json(summarize(*file)));

    EXPECT_EQ(info["subgraphs"].size(), std::stoul(row.at("n_subgraphs"))) << name;
    EXPECT_EQ(json_counts(info["operators"]), parse_counts(row.at("operators(count)"))) << name;
    EXPECT_EQ(json_counts(info["tensor_types"]), parse_counts(row.at("tensor_dtypes(all)"))) << name;
    expect_io_matches(row.at("inputs(sg0)"), info["subgraphs"][0]["inputs"], name + " input");
    expect_io_matches(row.at("outputs(sg0)"), info["subgraphs"][0]["outputs"], name + " output");

    // Metadata: "name(16B),other(96B)" in file order.
    std::vector<std::string> expected_md;
    for (const auto& item : split(row.at("metadata"), ",")) expected_md.push_back(trim(item));
    std::vector<std::string> actual_md;
    for (const auto& m : info["metadata"]) {
      actual_md.push_back(m["name"].get<std::string>() + "(" + std::to_string(m["bytes"].get<uint64_t>()) + "B)");
    }
    EXPECT_EQ(actual_md, expected_md) << name;
    ++checked;
  }
  EXPECT_EQ(checked, rows.size());
}

}  // namespace
}  // namespace qs::inspect
