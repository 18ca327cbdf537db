#!/usr/bin/env bash
# Rebuilds the reference model set (models/reference/) from the simulator: `npm run models:build`.
#
#   dataset export (node) -> train + float ONNX export (torch) -> ORT parity -> ORT basic
#   optimisation -> augment + calibrate in onnxruntime-node -> QDQ int8 encoders -> copy ->
#   manifest.json -> evaluation on the val split -> golden fixture -> model card
# Details and the reasons behind them: models/train/README.md.
#
# Deterministic: the same dataset gives bit-identical files on the same machine (single-process,
# seeded torch with 2 threads, single-threaded ORT for calibration).
#
# Environment:
#   MODELS_DATA=<dir>      use an existing dataset (CONTRACT.md format) instead of exporting one
#   MODELS_REUSE_DATA=1    skip the export if models/train/.data/train/meta.json already exists
#   MODELS_TRAIN_ARGS=...  extra arguments for train.py (e.g. "--epochs 4" for a quick run)
#   MODELS_SKIP_CARD=1     do not regenerate models/reference/MODEL_CARD.md and card/
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=/usr/bin/python3            # Debian's python: the pyenv shim on PATH cannot see apt's torch
TRAIN=models/train
WORK=$TRAIN/.work
REF=models/reference
DATA=${MODELS_DATA:-$TRAIN/.data}
MODALITIES=(camera depth lidar eeg)
# Passive OpenMP waits: on a shared 2-core box spinning torch threads fight other processes
# (measured 10x slower steps under load); results do not depend on it.
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 OMP_WAIT_POLICY=PASSIVE

T_START=$(date +%s.%N)
T_STAGE=$T_START
stage() {  # stage <name>: print the time of the stage that just ended
  local now
  now=$(date +%s.%N)
  awk -v a="$T_STAGE" -v b="$now" -v s="$1" 'BEGIN { printf "[build] %-28s %7.1fs\n", s, b - a }'
  T_STAGE=$now
}

if ! "$PY" -c 'import torch, onnx' 2>/dev/null; then
  echo "[build] $PY cannot import torch and onnx. Install Debian's packages (about 153 MB) with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends python3-torch python3-onnx" >&2
  exit 1
fi
echo "[build] $("$PY" -c 'import torch, onnx; print("torch", torch.__version__, "onnx", onnx.__version__)')"

# 1. dataset --------------------------------------------------------------------------------
if [[ -n "${MODELS_DATA:-}" ]]; then
  echo "[build] using dataset $DATA"
elif [[ "${MODELS_REUSE_DATA:-}" == 1 && -f $DATA/train/meta.json ]]; then
  echo "[build] reusing dataset $DATA"
else
  node --import tsx $TRAIN/export-dataset.ts --out "$DATA"
fi
for split in train val calib; do
  for f in camera depth lidar eeg label; do
    [[ -f $DATA/$split/$f.npy ]] || { echo "[build] missing $DATA/$split/$f.npy" >&2; exit 1; }
  done
done
stage "dataset"

# 2. train + float export -------------------------------------------------------------------
rm -rf "$WORK/float" "$WORK/pre" "$WORK/calib" "$WORK/int8"
mkdir -p "$WORK/float" "$WORK/pre" "$WORK/calib" "$WORK/int8"
# shellcheck disable=SC2086
"$PY" $TRAIN/train.py --data "$DATA" --out "$WORK/float" ${MODELS_TRAIN_ARGS:-}
stage "train + export"

node --import tsx $TRAIN/parity.ts "$WORK/float"
stage "parity (ORT vs torch)"

# 3. int8 encoders: optimise (basic) -> augment -> calibrate -> quantize ------------------------
for m in "${MODALITIES[@]}"; do
  node --import tsx $TRAIN/optimize.ts "$WORK/float/enc_$m.onnx" "$WORK/pre/enc_$m.onnx" basic
done
stage "optimise (ORT basic)"
for m in "${MODALITIES[@]}"; do
  "$PY" $TRAIN/qdq.py augment "$WORK/pre/enc_$m.onnx" "$WORK/calib/enc_$m.aug.onnx" "$WORK/calib/enc_$m.tensors.json"
  node --import tsx $TRAIN/calibrate.ts "$WORK/calib/enc_$m.aug.onnx" "$WORK/calib/enc_$m.tensors.json" \
    "$DATA/calib" "$m" "$WORK/float/train-meta.json" "$WORK/calib/enc_$m.ranges.json"
done
stage "calibrate (ORT)"
for m in "${MODALITIES[@]}"; do
  "$PY" $TRAIN/qdq.py quantize "$WORK/pre/enc_$m.onnx" "$WORK/calib/enc_$m.ranges.json" "$WORK/int8/enc_$m.int8.onnx" --act u8 --weight-max 63
done
stage "quantize (QDQ)"

# 4. publish into models/reference (card/ belongs to the model card, leave it alone) -----------
rm -rf "$REF/float" "$REF/baselines" "$REF/fixture"
rm -f "$REF"/*.onnx "$REF/manifest.json"
mkdir -p "$REF/float" "$REF/baselines"
for m in "${MODALITIES[@]}"; do
  cp "$WORK/int8/enc_$m.int8.onnx" "$REF/"
  cp "$WORK/float/enc_$m.onnx" "$REF/float/"
  cp "$WORK/float/single_$m.onnx" "$WORK/float/without_$m.onnx" "$REF/baselines/"
done
for h in concat weighted attention; do cp "$WORK/float/head_$h.onnx" "$REF/"; done
node --import tsx $TRAIN/write-manifest.ts "$REF" "$WORK/float/train-meta.json" "$DATA"
stage "publish + manifest"

# 5. evaluate what was published --------------------------------------------------------------
node --import tsx $TRAIN/check.ts "$REF" "$DATA/val" --json "$WORK/check-val.json"
stage "check (val)"
node --import tsx $TRAIN/make-fixture.ts "$REF" "$DATA/val"
stage "golden fixture"

# 6. model card (its own scripts: figures, then a fresh evaluation on seeds >= 900000) ----------
if [[ "${MODELS_SKIP_CARD:-}" != 1 && -f $TRAIN/render-card-images.ts && -f $TRAIN/write-card.ts ]]; then
  node --import tsx $TRAIN/render-card-images.ts --out "$REF/card"
  node --import tsx $TRAIN/write-card.ts
  stage "model card"
fi

echo "[build] files:"
(cd "$REF" && find . -type f -not -path './card/*' | sort | xargs ls -l | awk '{printf "  %8d  %s\n", $5, $9}')
echo "[build] total $(find "$REF" -type f -not -path "$REF/card/*" -print0 | du -cb --files0-from=- | tail -1 | cut -f1) bytes (without card/)"
awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "[build] %-28s %7.1fs\n", "total", b - a }'
cd "$ROOT"
