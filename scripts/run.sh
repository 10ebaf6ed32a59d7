#!/usr/bin/env bash
# scripts/run.sh [ARGS...]: installs missing packages, builds the `release` preset and starts the
# QuantScope GUI with ARGS (e.g. a .tflite model to open). Relative paths in ARGS are resolved
# from the directory you run this from.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP="$ROOT/build/release/app/quantscope"

bash "$ROOT/scripts/deps.sh"
(cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2)

if [[ ! -x "$APP" ]]; then
  echo "run.sh: $APP was not built (is QS_BUILD_GUI OFF in build/release/CMakeCache.txt?)" >&2
  exit 1
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  cat >&2 <<'MSG'
run.sh: no display available (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot
        be shown and Qt will stop with an error. Run this from a desktop session, over ssh -X,
        or headless with:  QT_QPA_PLATFORM=offscreen scripts/run.sh MODEL
MSG
fi

exec "$APP" "$@"
