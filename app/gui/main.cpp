// quantscope [MODEL]: the desktop application.

#include <QApplication>
#include <QCommandLineParser>
#include <QImage>
#include <QSaveFile>
#include <QStatusBar>
#include <QStringList>
#include <QTimer>

#include <cstdio>

#include "gui/main_window.h"
#include "widgets/graph_view.h"

namespace {

void describe(QCommandLineParser& parser) {
  parser.setApplicationDescription(QStringLiteral("Inspect TensorFlow Lite models."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("A .tflite model to open."),
                               QStringLiteral("[MODEL]"));
  parser.addOption({QStringLiteral("screenshot"),
                    QStringLiteral("Open MODEL, render the main window to OUT.png and exit (works with "
                                   "QT_QPA_PLATFORM=offscreen)."),
                    QStringLiteral("OUT.png")});
  parser.addOption({QStringLiteral("signature"),
                    QStringLiteral("Show the subgraph of signature KEY, its inputs and outputs under the "
                                   "signature's names."),
                    QStringLiteral("KEY")});
  parser.addOption({QStringLiteral("select"),
                    QStringLiteral("With --screenshot: select a tensor by name, an op by \"#N\", or the first op "
                                   "of a type before rendering."),
                    QStringLiteral("NAME")});
  parser.addOption({QStringLiteral("size"),
                    QStringLiteral("With --screenshot: window size, default 1600x1000."), QStringLiteral("WxH")});
}

// "'KEY' is not a signature of MODEL (it has: a, b)", for a --signature
// that did not match.
QString unknownSignature(const qs::app::MainWindow& window, const QString& key, const QString& model) {
  QStringList keys;
  if (const auto& m = window.graphView()->model())
    for (const auto& signature : m->signatures) keys << QString::fromStdString(signature.key);
  return QStringLiteral("'%1' is not a signature of %2 (%3)")
      .arg(key, model,
           keys.isEmpty() ? QStringLiteral("it has none")
                          : QStringLiteral("it has: %1").arg(keys.join(QStringLiteral(", "))));
}

// --screenshot: everything synchronous, no dialogs; errors on stderr and a
// non-zero exit, so scripts and tests can rely on it.
int takeScreenshot(const QCommandLineParser& parser, const QString& model) {
  const QString out = parser.value(QStringLiteral("screenshot"));
  if (model.isEmpty()) {
    std::fprintf(stderr, "quantscope: --screenshot needs a MODEL\n");
    return 2;
  }
  QSize size(1600, 1000);
  if (parser.isSet(QStringLiteral("size"))) {
    const QStringList wh = parser.value(QStringLiteral("size")).split(QLatin1Char('x'));
    bool okW = false;
    bool okH = false;
    if (wh.size() == 2) size = QSize(wh[0].toInt(&okW), wh[1].toInt(&okH));
    if (!okW || !okH || size.width() < 200 || size.height() < 200) {
      std::fprintf(stderr, "quantscope: --size wants WxH (at least 200x200), e.g. 1600x1000\n");
      return 2;
    }
  }
  qs::app::MainWindow window;
  window.resize(size);
  window.show();
  const qs::Status status = window.openModel(model);
  if (!status) {
    std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
    return 1;
  }
  QCoreApplication::processEvents();
  // Before --select, which looks in the shown subgraph first.
  if (parser.isSet(QStringLiteral("signature"))) {
    const QString key = parser.value(QStringLiteral("signature"));
    if (!window.showSignature(key)) {
      std::fprintf(stderr, "quantscope: %s\n", qPrintable(unknownSignature(window, key, model)));
      return 1;
    }
  }
  if (parser.isSet(QStringLiteral("select"))) {
    const QString name = parser.value(QStringLiteral("select"));
    if (!window.selectByName(name)) {
      std::fprintf(stderr, "quantscope: nothing named '%s' in %s\n", qPrintable(name), qPrintable(model));
      return 1;
    }
  }
  // Layout, fitting and deferred paints all run from the event loop; let
  // them settle before grabbing.
  for (int i = 0; i < 5; ++i) QCoreApplication::processEvents();
  const QImage image = window.grab().toImage();
  // Atomic: a reader never sees half a PNG, and a failure leaves nothing.
  QSaveFile file(out);
  if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
    std::fprintf(stderr, "quantscope: cannot write %s: %s\n", qPrintable(out), qPrintable(file.errorString()));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication::setOrganizationName(QStringLiteral("QuantScope"));
  QCoreApplication::setApplicationName(QStringLiteral("QuantScope"));
  QCoreApplication::setApplicationVersion(QStringLiteral(QS_VERSION));

  // --help and --version are answered before QApplication exists, so they
  // work without a display. Qt's own options (-platform, -style, ...) are
  // unknown to this first pass, hence its errors are ignored here.
  {
    QStringList args;
    for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser early;
    describe(early);
    (void)early.parse(args);
    if (early.isSet(QStringLiteral("help"))) {
      // A QCoreApplication, which needs no display, so the usage line names
      // the program as it was started.
      const QCoreApplication core(argc, argv);
      std::fputs(qPrintable(early.helpText()), stdout);
      return 0;
    }
    if (early.isSet(QStringLiteral("version"))) {
      std::printf("quantscope %s\n", QS_VERSION);
      return 0;
    }
  }

  QApplication app(argc, argv);
  QGuiApplication::setApplicationDisplayName(QStringLiteral("QuantScope"));

  QCommandLineParser parser;
  describe(parser);
  // Exit status 2 for a usage error, as quantscope-cli does.
  if (!parser.parse(QCoreApplication::arguments())) {
    std::fprintf(stderr, "quantscope: %s (try --help)\n", qPrintable(parser.errorText()));
    return 2;
  }
  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1) {
    std::fprintf(stderr, "quantscope: expected at most one MODEL, got %lld (try --help)\n",
                 static_cast<long long>(positional.size()));
    return 2;
  }

  if (parser.isSet(QStringLiteral("screenshot")))
    return takeScreenshot(parser, positional.isEmpty() ? QString() : positional.front());

  qs::app::MainWindow window;
  window.show();
  if (!positional.isEmpty()) {
    // Once the event loop runs: the window is up first, and a failure's
    // message box (which does not block) has a visible window to sit on.
    const QString path = positional.front();
    const QString signature = parser.value(QStringLiteral("signature"));
    QTimer::singleShot(0, &window, [&window, path, signature] {
      if (!window.openModelOrWarn(path) || signature.isEmpty() || window.showSignature(signature)) return;
      const QString message = unknownSignature(window, signature, path);
      std::fprintf(stderr, "quantscope: %s\n", qPrintable(message));
      window.statusBar()->showMessage(message);
    });
  }
  return QApplication::exec();
}
