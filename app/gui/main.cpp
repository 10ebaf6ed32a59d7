// quantscope [MODEL]: the desktop application.

#include <QApplication>
#include <QCommandLineParser>
#include <QStringList>
#include <QTimer>

#include <cstdio>

#include "gui/main_window.h"

namespace {

void describe(QCommandLineParser& parser) {
  parser.setApplicationDescription(QStringLiteral("Inspect TensorFlow Lite models."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("A .tflite model to open."),
                               QStringLiteral("[MODEL]"));
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

  qs::app::MainWindow window;
  window.show();
  if (!positional.isEmpty()) {
    // Once the event loop runs, so that a failure's message box has a
    // visible window to sit on.
    const QString path = positional.front();
    QTimer::singleShot(0, &window, [&window, path] { window.openModelOrWarn(path); });
  }
  return QApplication::exec();
}
