#!/usr/bin/env bash
# How the shipped GTZAN model's settings were chosen: each candidate is trained with whole
# tracks held out (track split: 6 train, 1 dev, 1 test track per genre), for several seeds so
# different tracks are held out, and scored on the held-out tracks only.
#   models/select-gtzan-settings.sh ../shared/gtzan-mini > selection.tsv
set -euo pipefail
data=${1:?usage: $0 GTZAN_DIR}
bin=${GENRESCOPE_BIN:-target/release/genrescope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
candidates=(
  "paper|--lr 1e-4 --batch 512 --epochs 200 --dropout-keep 0.9 --decoder-output relu"
  "paper-linear|--lr 1e-4 --batch 512 --epochs 200 --dropout-keep 0.9 --decoder-output linear"
  "lr1e-3-b64-e100|--lr 1e-3 --batch 64 --epochs 100 --dropout-keep 0.9 --decoder-output linear"
  "lr1e-3-b64-e300|--lr 1e-3 --batch 64 --epochs 300 --dropout-keep 0.9 --decoder-output linear"
  "lr3e-4-b64-e200-keep0.8|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 0.8 --decoder-output linear"
  "lr3e-4-b64-e200-keep1|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 1.0 --decoder-output linear"
  "lr3e-4-b64-e200-keep1-std|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 1.0 --decoder-output linear --standardize"
  "lr3e-4-b64-e400-keep1-std|--lr 3e-4 --batch 64 --epochs 400 --dropout-keep 1.0 --decoder-output linear --standardize"
)
# Only some candidates: CANDIDATES="name1 name2" models/select-gtzan-settings.sh DIR
if [ -n "${CANDIDATES:-}" ]; then
  kept=()
  for entry in "${candidates[@]}"; do
    for want in $CANDIDATES; do [ "${entry%%|*}" = "$want" ] && kept+=("$entry"); done
  done
  candidates=("${kept[@]}")
fi
printf "candidate\tseed\tdev_acc\ttest_acc\theld_out_tracks_right\theld_out_tracks\ttrain_mse\tdev_mse\ttest_mse\n"
for entry in "${candidates[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  for seed in 0 1 2; do
    # shellcheck disable=SC2086
    "$bin" train "$data" --split track --seed "$seed" $args --out "$tmp/m.safetensors" --json 2>/dev/null \
      | python3 -c '
import json, sys
r = json.load(sys.stdin)["report"]["splits"]
s = {x["split"]: x for x in r}
right = s["dev"]["track_vote"]["correct"] + s["test"]["track_vote"]["correct"]
total = s["dev"]["track_vote"]["tracks"] + s["test"]["track_vote"]["tracks"]
mse = (s["train"]["reconstruction_mse"], s["dev"]["reconstruction_mse"], s["test"]["reconstruction_mse"])
print("\t".join([sys.argv[1], sys.argv[2], "%.3f" % s["dev"]["accuracy"], "%.3f" % s["test"]["accuracy"], str(right), str(total)] + ["%.2e" % m for m in mse]))
' "$name" "$seed"
  done
done
