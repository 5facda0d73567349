#!/usr/bin/env bash
# Install govsite into the repository's own virtual environment, .venv/ (git-ignored), made here
# when missing, with the exact versions of requirements.lock: the system Python is never touched
# (Debian and Ubuntu refuse pip there: "externally managed"), and every machine gets the same
# packages. `bash scripts/install.sh test` adds the test tools. Then run `.venv/bin/govsite`,
# or `. .venv/bin/activate` first.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
if [[ "${1:-}" == "test" ]]; then extras="[test]"; fi
python=${PYTHON:-python3}

if [[ ! -x .venv/bin/python ]]; then
    rm -rf .venv
    if ! "$python" -m venv .venv 2>/dev/null; then
        # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) in a package of its own.
        rm -rf .venv
        version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        echo "install: installing Debian's python${version}-venv"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "python${version}-venv" >/dev/null
        "$python" -m venv .venv
    fi
fi

# Installing again only when the lock, the project's metadata or the extras changed keeps a
# second run fast; the source itself is installed editable, so edits need no reinstall.
stamp="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1) ${extras}"
if [[ "$(cat .venv/.govsite-lock 2>/dev/null)" != "$stamp" ]]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        --constraint requirements.lock --editable ".${extras}"
    echo "$stamp" > .venv/.govsite-lock
fi

# Byte-compile govsite as pip does a package it installs (not an editable one): where the
# environment sets PYTHONDONTWRITEBYTECODE, as many container images do, Python would
# otherwise compile every module again at each start, a tenth of a second of each build.
# Only files changed since their last compile are compiled again.
.venv/bin/python -m compileall -q govsite
