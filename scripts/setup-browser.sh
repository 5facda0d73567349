#!/usr/bin/env bash
# Tools of the browser test tier, installed where missing: Debian's Chromium and CJK fonts (without
# them every Chinese character renders as a box), a Java runtime for the Nu Html Checker, and the
# npm packages pinned in package-lock.json. No browser is downloaded: Playwright drives /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[[ "$(fc-list 2>/dev/null)" == *"Noto Sans CJK"* ]] || missing+=(fonts-noto-cjk)
command -v java >/dev/null || missing+=(default-jre-headless)
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "setup-browser: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --ignore-scripts: vnu-jar's install script would download a Java runtime; the machine's Java runs it.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat node_modules/.govsite-lock 2>/dev/null)" != "$lock_sum" ]]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$lock_sum" > node_modules/.govsite-lock
fi
