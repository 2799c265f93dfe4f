#!/usr/bin/env bash
# Debian packages the browser tests need: Chromium (driven by Playwright) and CJK fonts for Chinese labels.
# Java 17 for pyspark is expected on the machine (it is on CI); its absence is reported by the Spark tests.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }
need=()
command -v chromium >/dev/null || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}" >&2
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null; }; then
    echo "warning: could not install ${need[*]} (not root and no sudo); browser tests will be skipped" >&2
  fi
fi
