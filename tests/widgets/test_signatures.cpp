// Signatures in the main window: the chooser offers each SignatureDef after
// the subgraphs; choosing one shows its subgraph with the signature's names
// on the input and output pills, and the details panel names them too.
// `--screenshot --signature KEY` does the same headless.

#include <gtest/gtest.h>

#include <QAbstractItemView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QProcess>

#include <map>
#include <string>
#include <vector>

#include "format/model_file.h"
#include "gui/main_window.h"
#include "isolated_settings.h"
#include "support/corpus.h"
#include "support/temp_dir.h"
#include "widgets/details_panel.h"
#include "widgets/graph_items.h"
#include "widgets/graph_scene.h"
#include "widgets/graph_view.h"

namespace {

using qs::app::MainWindow;
using qs::format::Model;
using qs::test::IsolatedSettings;
using qs::widgets::GraphNodeItem;

constexpr const char* kMultiSignature = "multi_signature_model.tflite";

QString corpusPath(const std::string& name) {
  return QString::fromStdString(qs::test::corpus_model(name).string());
}

QString artifactPath(const QString& name) {
  QDir().mkpath(QStringLiteral(QS_TEST_ARTIFACTS_DIR));
  return QDir(QStringLiteral(QS_TEST_ARTIFACTS_DIR)).filePath(name);
}

// The signatures as our own reader sees them: what the window must show.
std::vector<qs::format::Signature> readSignatures(const std::string& name) {
  auto file = qs::format::ModelFile::open(qs::test::corpus_model(name));
  EXPECT_TRUE(file.has_value()) << name;
  if (!file) return {};
  return file->to_model().signatures;
}

// Title of each input (or output) pill of the shown graph, by tensor.
std::map<int, QString> pillTitles(const MainWindow& window, GraphNodeItem::Kind kind) {
  std::map<int, QString> titles;
  for (const GraphNodeItem* node : window.graphView()->graphScene()->nodeItems())
    if (node->kind() == kind) titles[node->index()] = node->title.text;
  return titles;
}

QString tensorName(const Model& model, uint32_t subgraph, uint32_t tensor) {
  return QString::fromStdString(model.subgraphs[subgraph].tensors[tensor].name);
}

TEST(Signatures, OurReaderAgreesWithTheFileReadByHand) {
  QS_REQUIRE_CORPUS();
  // Read independently of format::ModelFile, walking the FlatBuffer with
  // Python's struct module (Model field 7 = signature_defs; SignatureDef
  // fields inputs 0, outputs 1, signature_key 2, subgraph_index 4), and
  // cross-checked with `strings -n 1` and `quantscope-cli info`:
  //   add -> subgraph 0, inputs a = #1, b = #0, output output = #2
  //   mul -> subgraph 1, same aliases; sub -> subgraph 2, same aliases.
  const auto signatures = readSignatures(kMultiSignature);
  ASSERT_EQ(signatures.size(), 3u);
  const char* keys[] = {"add", "mul", "sub"};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(keys[i]);
    const auto& s = signatures[i];
    EXPECT_EQ(s.key, keys[i]);
    EXPECT_EQ(s.subgraph_index, i);
    ASSERT_EQ(s.inputs.size(), 2u);
    EXPECT_EQ(s.inputs[0].name, "a");
    EXPECT_EQ(s.inputs[0].tensor_index, 1u);
    EXPECT_EQ(s.inputs[1].name, "b");
    EXPECT_EQ(s.inputs[1].tensor_index, 0u);
    ASSERT_EQ(s.outputs.size(), 1u);
    EXPECT_EQ(s.outputs[0].name, "output");
    EXPECT_EQ(s.outputs[0].tensor_index, 2u);
  }
}

TEST(Signatures, ChooserListsSubgraphsThenSignatures) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  ASSERT_TRUE(window.openModel(corpusPath(kMultiSignature)));
  const auto signatures = readSignatures(kMultiSignature);
  auto* combo = window.findChild<QComboBox*>("subgraphSelector");
  ASSERT_NE(combo, nullptr);
  // Three subgraphs, a separator, three signatures.
  ASSERT_EQ(combo->count(), 7);
  EXPECT_EQ(combo->currentIndex(), 0);
  EXPECT_TRUE(window.currentSignature().isEmpty());
  for (size_t i = 0; i < signatures.size(); ++i) {
    const int row = 4 + static_cast<int>(i);
    const QString key = QString::fromStdString(signatures[i].key);
    EXPECT_TRUE(combo->itemText(row).contains(key)) << combo->itemText(row).toStdString();
    EXPECT_TRUE(
        combo->itemText(row).contains(QStringLiteral("subgraph %1").arg(signatures[i].subgraph_index)))
        << combo->itemText(row).toStdString();
    // Choosing the entry, as the user would.
    combo->setCurrentIndex(row);
    EXPECT_EQ(window.currentSignature(), key);
    EXPECT_EQ(window.currentSubgraph(), static_cast<int>(signatures[i].subgraph_index));
  }
  // The list as the user sees it, for review.
  window.show();
  combo->showPopup();
  QCoreApplication::processEvents();
  EXPECT_TRUE(combo->view()->window()->grab().save(artifactPath(QStringLiteral("signature_chooser.png"))));
  combo->hidePopup();

  // A plain subgraph entry drops the signature's names.
  combo->setCurrentIndex(1);
  EXPECT_TRUE(window.currentSignature().isEmpty());
  EXPECT_EQ(window.currentSubgraph(), 1);
}

TEST(Signatures, EachSignatureShowsItsSubgraphUnderItsNames) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  ASSERT_TRUE(window.openModel(corpusPath(kMultiSignature)));
  auto file = qs::format::ModelFile::open(qs::test::corpus_model(kMultiSignature));
  ASSERT_TRUE(file);
  const Model model = file->to_model();
  ASSERT_EQ(model.signatures.size(), 3u);

  for (const auto& signature : model.signatures) {
    const QString key = QString::fromStdString(signature.key);
    SCOPED_TRACE(signature.key);
    ASSERT_TRUE(window.showSignature(key));
    EXPECT_EQ(window.currentSignature(), key);
    EXPECT_EQ(window.currentSubgraph(), static_cast<int>(signature.subgraph_index));
    EXPECT_EQ(window.graphView()->subgraph(), static_cast<int>(signature.subgraph_index));

    // "a ← mul_a:0": the alias, and the tensor it names.
    const auto inputs = pillTitles(window, GraphNodeItem::Kind::Input);
    ASSERT_EQ(inputs.size(), signature.inputs.size());
    for (const auto& in : signature.inputs) {
      const QString title = inputs.at(static_cast<int>(in.tensor_index));
      EXPECT_TRUE(title.startsWith(QString::fromStdString(in.name) + QStringLiteral(" ← ")))
          << title.toStdString();
      EXPECT_TRUE(title.endsWith(tensorName(model, signature.subgraph_index, in.tensor_index)))
          << title.toStdString();
    }
    const auto outputs = pillTitles(window, GraphNodeItem::Kind::Output);
    for (const auto& out : signature.outputs) {
      const QString title = outputs.at(static_cast<int>(out.tensor_index));
      EXPECT_TRUE(title.startsWith(QString::fromStdString(out.name) + QStringLiteral(" ← ")))
          << title.toStdString();
    }

    // The details of an aliased tensor name the signature and the alias.
    const auto& first = signature.inputs.front();
    window.selectTensor(static_cast<int>(first.tensor_index));
    const auto* names = window.detailsPanel()->findChild<QLabel*>("propSignatureNames");
    ASSERT_NE(names, nullptr);
    EXPECT_FALSE(names->isHidden());
    EXPECT_TRUE(names->text().contains(key)) << names->text().toStdString();
    EXPECT_TRUE(names->text().contains(QStringLiteral("input “%1”").arg(QString::fromStdString(first.name))))
        << names->text().toStdString();
    // Selecting in the shown subgraph keeps the signature.
    EXPECT_EQ(window.currentSignature(), key);

    QCoreApplication::processEvents();
    EXPECT_TRUE(window.grab().save(artifactPath(QStringLiteral("signature_%1.png").arg(key))));
  }

  // Back to the plain subgraph: the tensors' own names.
  window.showSubgraph(1);
  EXPECT_TRUE(window.currentSignature().isEmpty());
  for (const auto& [tensor, title] : pillTitles(window, GraphNodeItem::Kind::Input))
    EXPECT_EQ(title, tensorName(model, 1, static_cast<uint32_t>(tensor)));

  // An unknown key changes nothing.
  EXPECT_FALSE(window.showSignature(QStringLiteral("no_such_signature")));
  EXPECT_EQ(window.currentSubgraph(), 1);
  EXPECT_TRUE(window.currentSignature().isEmpty());
}

TEST(Signatures, ModelWithoutSignaturesOffersNone) {
  QS_REQUIRE_CORPUS();
  IsolatedSettings settings;
  MainWindow window;
  // mobilenet_v1_0.25_128_quant: one subgraph, no signature (quantscope-cli info).
  ASSERT_TRUE(window.openModel(corpusPath("mobilenet_v1_0.25_128_quant.tflite")));
  EXPECT_FALSE(window.showSignature(QStringLiteral("serving_default")));
  EXPECT_TRUE(window.currentSignature().isEmpty());
  EXPECT_TRUE(window.findChild<QComboBox*>("subgraphSelector")->parentWidget()->isHidden());
}

// The GUI binary, offscreen; the settings folder of this test binary is inherited.
void startGui(QProcess& gui, const QStringList& arguments) {
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  gui.setProcessEnvironment(env);
  gui.start(QStringLiteral(QS_GUI_PATH), arguments);
}

TEST(Signatures, ScreenshotCommandTakesASignature) {
  QS_REQUIRE_CORPUS();
  const QString out = artifactPath(QStringLiteral("screenshot_multi_signature_mul.png"));
  QFile::remove(out);
  QProcess gui;
  startGui(gui,
           {corpusPath(kMultiSignature), QStringLiteral("--screenshot"), out, QStringLiteral("--signature"),
            QStringLiteral("mul"), QStringLiteral("--size"), QStringLiteral("1200x800")});
  ASSERT_TRUE(gui.waitForFinished(60000));
  EXPECT_EQ(gui.exitCode(), 0) << gui.readAllStandardError().toStdString();
  const QImage image(out);
  ASSERT_FALSE(image.isNull()) << "no PNG at " << out.toStdString();
  EXPECT_EQ(image.size(), QSize(1200, 800));
}

TEST(Signatures, ScreenshotCommandRefusesAnUnknownSignature) {
  QS_REQUIRE_CORPUS();
  const qs::test::TempDir dir("qs-signature-screenshot");
  const QString out = QString::fromStdString((dir / "out.png").string());
  QProcess gui;
  startGui(gui, {corpusPath(kMultiSignature), QStringLiteral("--screenshot"), out,
                 QStringLiteral("--signature"), QStringLiteral("div")});
  ASSERT_TRUE(gui.waitForFinished(60000));
  EXPECT_EQ(gui.exitCode(), 1);
  const QString error = QString::fromLocal8Bit(gui.readAllStandardError());
  // Names what there is, so the user can correct the key.
  EXPECT_TRUE(error.contains(QStringLiteral("'div'"))) << error.toStdString();
  EXPECT_TRUE(error.contains(QStringLiteral("add, mul, sub"))) << error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(out));
}

}  // namespace
