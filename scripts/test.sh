#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs the whole suite:
# lint, format, type-check, build, unit/integration tests (Node) and end-to-end tests (Chromium and Firefox).
# Needs ../shared beside the checkout (real MMLU, stories260K, GPT-2 tokenizer).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Firefox ESR for the second browser of the end-to-end suite (driven by puppeteer-core over WebDriver BiDi).
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
# Debian's torch and onnx generate the synthetic models some tests use (scripts/make_llama_onnx.py).
/usr/bin/python3 -c 'import torch, onnx, numpy' >/dev/null 2>&1 || need+=(python3-torch python3-onnx python3-numpy)
# scipy, statsmodels and scikit-learn recompute the studies' statistics independently (test/support/study_stats.py).
/usr/bin/python3 -c 'import scipy, statsmodels, sklearn' >/dev/null 2>&1 || need+=(python3-scipy python3-statsmodels python3-sklearn)
# Jinja2 and PyYAML render lm-eval's own TruthfulQA prompt text (test/support/truthfulqa_ref.py).
/usr/bin/python3 -c 'import jinja2, yaml' >/dev/null 2>&1 || need+=(python3-jinja2 python3-yaml)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== npm ci"
# onnxruntime-node's install script (where npm runs it) would download GPU binaries from a host we cannot reach;
# its CPU binary ships in the package. The script reads this variable (an .npmrc key makes npm warn on every command).
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

npm test
