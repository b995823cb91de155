#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first:
# the Python package with its test extras, and the Debian packages for the
# LaTeX toolchain (pdflatex, bibtex, biber, the forest package), pandoc, pdftotext, Chromium
# and npm (for axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdflatex >/dev/null || need+=(texlive-latex-base texlive-latex-recommended)
command -v biber >/dev/null || need+=(biber)
kpsewhich biblatex.sty >/dev/null 2>&1 || need+=(texlive-bibtex-extra)
kpsewhich plainnat.bst >/dev/null 2>&1 || need+=(texlive-latex-recommended)
command -v pandoc >/dev/null || need+=(pandoc)
kpsewhich forest.sty >/dev/null 2>&1 || need+=(texlive-pictures texlive-latex-extra)
command -v pdftotext >/dev/null || need+=(poppler-utils)
kpsewhich lmodern.sty >/dev/null 2>&1 || need+=(lmodern)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

python3 -m pip install -q -e '.[test]'
bash tests/install-actionlint.sh
# axe-core for the accessibility test (tests/test_accessibility.py)
[ -f tests/.axe/node_modules/axe-core/axe.min.js ] ||
  npm install -q --prefix tests/.axe --no-save --no-package-lock axe-core@4.14.1

ruff check plugins tests bench
python3 -m pytest "$@"
