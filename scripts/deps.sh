#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages QuantScope needs to build, test and run.
# Idempotent: does nothing (and needs no network) when every package is already installed.
# Works as root or as a normal user with sudo. Set QS_SKIP_DEPS=1 to skip entirely.
set -euo pipefail

# The one list of packages. Extend it here.
QS_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build clang libclang-rt-14-dev pkg-config git
  # model format, errors as values, JSON output, NumPy .npz (zip) files
  flatbuffers-compiler libflatbuffers-dev libexpected-dev nlohmann-json3-dev libzip-dev
  # SHA-256 of models (stats files name the exact model they belong to)
  libssl-dev
  # GUI
  qt6-base-dev qt6-svg-dev libgl-dev libqcustomplot-dev libqcustomplot2.1-qt6
  # maths and kernels (oneDNN's CMake config needs the OpenCL packages)
  libeigen3-dev libdnnl-dev ocl-icd-opencl-dev opencl-c-headers libgemmlowp-dev
  # tests and benchmarks (stb decodes the sample images of the conformance tests)
  libgtest-dev libgmock-dev libbenchmark-dev libstb-dev
  # headless GUI runs and screenshots
  xvfb xauth
)
# The conformance tests run LiteRT.js under Node (tests/conformance). Debian's
# nodejs and npm are added only when no `node` is on the PATH, so a newer
# Node installed another way is left alone.
if ! command -v node >/dev/null 2>&1; then
  QS_PACKAGES+=(nodejs npm)
fi

log() { printf '[deps] %s\n' "$*"; }

if [[ "${QS_SKIP_DEPS:-0}" == 1 ]]; then
  log "QS_SKIP_DEPS=1: skipping package check"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "dpkg/apt-get not found: this script supports Debian 12 only; install the equivalent of:"
  log "  ${QS_PACKAGES[*]}"
  exit 1
fi

missing=()
for pkg in "${QS_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#QS_PACKAGES[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  log "missing packages: ${missing[*]}"
  log "not root and sudo is not available: install them as root, then re-run"
  exit 1
fi

log "installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
log "done"
