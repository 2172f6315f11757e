#!/usr/bin/env bash
# Build the HTML book from notebooks already executed at PROFILE (no re-execution).
#   bash scripts/build_book.sh cpu
set -euo pipefail
profile=${1:-cpu}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
src="build/$profile/notebooks"
if ! ls "$src"/*.ipynb >/dev/null 2>&1; then
  echo "rlvid: error: no executed notebooks in $src; run: make notebooks PROFILE=$profile" >&2
  exit 2
fi
# The book reads executed notebooks from build/book/ (see _toc.yml), with papermill's
# plumbing removed and the run's parameters shown as a table (scripts/prepare_book.py).
rm -rf build/book && mkdir -p build/book
python scripts/prepare_book.py "$src" build/book
echo "$profile" > build/book/PROFILE
jupyter-book build . -W -n --keep-going --all
echo "book: $here/_build/html/index.html (notebooks executed at profile $profile)"
