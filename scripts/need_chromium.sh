#!/usr/bin/env bash
# The browser checks of `make test` drive Debian's headless chromium through chromium-driver.
# When either is missing: install both with apt-get if running as root, else stop at once
# with one line naming the prerequisite.
set -euo pipefail
have() { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }
have && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "rlvid: error: make test needs chromium and chromium-driver; run as root: apt-get install chromium chromium-driver" >&2
  exit 2
fi
echo "rlvid: installing chromium and chromium-driver (apt-get) for the browser checks" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
have || { echo "rlvid: error: apt-get did not provide chromium and chromedriver" >&2; exit 2; }
