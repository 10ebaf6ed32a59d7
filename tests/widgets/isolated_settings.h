#pragma once
// Points $QS_SETTINGS_DIR at a fresh folder for one test, then restores it,
// so no test reads or writes the user's settings or another test's.

#include <QByteArray>
#include <QtGlobal>

#include <filesystem>

#include "support/temp_dir.h"

namespace qs::test {

class IsolatedSettings {
 public:
  IsolatedSettings() : previous_(qgetenv("QS_SETTINGS_DIR")) {
    qputenv("QS_SETTINGS_DIR", QByteArray::fromStdString(dir_.path().string()));
  }
  ~IsolatedSettings() { qputenv("QS_SETTINGS_DIR", previous_); }
  IsolatedSettings(const IsolatedSettings&) = delete;
  IsolatedSettings& operator=(const IsolatedSettings&) = delete;

  std::filesystem::path iniFile() const { return dir_ / "QuantScope.ini"; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_{"qs-gui-settings"};
  QByteArray previous_;
};

}  // namespace qs::test
