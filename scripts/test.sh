#!/usr/bin/env bash
# The whole test suite, as CI runs it: install govsite with its test tools and the browser tier's
# tools (scripts/setup-browser.sh), then lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
bash scripts/setup-browser.sh
python3 -m ruff check govsite tests
python3 -m ruff format --check govsite tests
python3 -m mypy --strict govsite
python3 -m pytest "$@"
