#!/usr/bin/env bash
# Regenerate requirements.lock: every package the quick start, the test command and CI install,
# at one exact version each, for every platform and Python >= 3.11 (uv's universal resolution).
# uv runs from a throwaway virtual environment; nothing is installed anywhere else. Run it after
# changing the dependencies in pyproject.toml, then run the tests and refresh golden files
# (`python -m pytest tests/test_golden.py --update-golden`) if a new version changed the output.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
python3 -m venv "$tool"
"$tool/bin/python" -m pip install --quiet --disable-pip-version-check 'uv==0.13.9'
"$tool/bin/uv" pip compile --quiet --universal --python-version 3.11 --extra test \
    --custom-compile-command "bash scripts/lock.sh" pyproject.toml -o requirements.lock
