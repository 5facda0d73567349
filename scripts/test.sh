#!/usr/bin/env bash
# The whole test suite, as CI runs it: install govsite with its test tools into .venv/ from
# requirements.lock (scripts/install.sh) and the browser tier's tools (scripts/setup-browser.sh),
# then lint, types, tests, all with the virtual environment's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${CI:-}" ]]; then
    rm -rf .venv  # CI proves the suite in a virtual environment made fresh from the lock
fi
bash scripts/install.sh test
bash scripts/setup-browser.sh
python=.venv/bin/python
if [[ -n "${CI:-}" ]]; then
    echo "test.sh: $("$python" --version) in a fresh .venv from requirements.lock:"
    "$python" -m pip freeze --exclude-editable --disable-pip-version-check | paste -sd' '
fi
"$python" -m ruff check govsite tests
"$python" -m ruff format --check govsite tests
"$python" -m mypy --strict govsite
"$python" -m pytest "$@"
