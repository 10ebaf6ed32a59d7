// GoogleTest main for the widget tests: widgets need a QApplication, which
// must exist before any test body runs and outlive them all.

#include <gtest/gtest.h>

#include <QApplication>
#include <QByteArray>

#include "support/temp_dir.h"

int main(int argc, char** argv) {
  // Test discovery runs this binary without ctest's environment, and a
  // developer may run it from a shell without a display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  // Whatever a test forgets to isolate still never reaches the user's own
  // QuantScope settings.
  const qs::test::TempDir settings("qs-widgets-settings");
  if (qEnvironmentVariableIsEmpty("QS_SETTINGS_DIR"))
    qputenv("QS_SETTINGS_DIR", QByteArray::fromStdString(settings.path().string()));

  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
