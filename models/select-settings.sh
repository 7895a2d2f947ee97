#!/usr/bin/env bash
# How the shipped gtzan-mini models' settings were chosen: each candidate is trained with whole
# tracks held out (track split: 6 train, 1 dev, 1 test track per genre), for several seeds so
# different tracks are held out, and scored on the held-out tracks only.
#   models/select-settings.sh waveform ../shared/gtzan-mini > waveform.tsv
#   models/select-settings.sh logmel ../shared/gtzan-mini > logmel.tsv
# Columns: held-out clip accuracy on dev and test, held-out tracks right by vote, and the
# reconstruction error of train / dev / test as a fraction of each split's own variance.
set -euo pipefail
input=${1:?usage: $0 waveform|logmel GTZAN_DIR}
data=${2:?usage: $0 waveform|logmel GTZAN_DIR}
bin=${GENRESCOPE_BIN:-target/release/genrescope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$input" in
  waveform) candidates=(
    "paper|--preset paper"
    "paper-linear|--preset paper --decoder-output linear"
    "lr1e-3-b64-e100|--lr 1e-3 --batch 64 --epochs 100 --dropout-keep 0.9 --decoder-output linear"
    "lr1e-3-b64-e300|--lr 1e-3 --batch 64 --epochs 300 --dropout-keep 0.9 --decoder-output linear"
    "lr3e-4-b64-e200-keep0.8|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 0.8 --decoder-output linear"
    "lr3e-4-b64-e200-keep1|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 1.0 --decoder-output linear"
    "lr3e-4-b64-e200-keep1-std|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 1.0 --decoder-output linear --standardize"
    "recommended|--preset recommended"
  ) ;;
  logmel) candidates=(
    "paper|--preset paper"
    "paper-linear|--preset paper --decoder-output linear"
    "lr1e-3-b64-e30-keep0.8|--lr 1e-3 --batch 64 --epochs 30 --dropout-keep 0.8 --decoder-output linear"
    "lr1e-3-b64-e60-keep0.8|--lr 1e-3 --batch 64 --epochs 60 --dropout-keep 0.8 --decoder-output linear"
    "lr1e-3-b64-e60-keep0.5|--lr 1e-3 --batch 64 --epochs 60 --dropout-keep 0.5 --decoder-output linear"
    "lr1e-3-b64-e100-keep0.5|--lr 1e-3 --batch 64 --epochs 100 --dropout-keep 0.5 --decoder-output linear"
    "lr1e-3-b64-e60-keep0.3|--lr 1e-3 --batch 64 --epochs 60 --dropout-keep 0.3 --decoder-output linear"
    "lr1e-3-b64-e60-keep0.8-g0.5|--lr 1e-3 --batch 64 --epochs 60 --dropout-keep 0.8 --gamma 0.5 --decoder-output linear"
    "lr3e-4-b64-e100-keep0.8|--lr 3e-4 --batch 64 --epochs 100 --dropout-keep 0.8 --decoder-output linear"
    "lr3e-4-b64-e200-keep1|--lr 3e-4 --batch 64 --epochs 200 --dropout-keep 1.0 --decoder-output linear"
  ) ;;
  *) echo "input must be waveform or logmel" >&2; exit 2 ;;
esac
# Only some candidates: CANDIDATES="name1 name2" models/select-settings.sh INPUT DIR
if [ -n "${CANDIDATES:-}" ]; then
  kept=()
  for entry in "${candidates[@]}"; do
    for want in $CANDIDATES; do [ "${entry%%|*}" = "$want" ] && kept+=("$entry"); done
  done
  candidates=("${kept[@]}")
fi
printf "candidate\tseed\tdev_acc\ttest_acc\theld_out_tracks_right\theld_out_tracks\ttrain_recon\tdev_recon\ttest_recon\n"
for entry in "${candidates[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  for seed in 0 1 2; do
    # shellcheck disable=SC2086
    "$bin" train "$data" --input "$input" --split track --seed "$seed" $args \
      --out "$tmp/m.safetensors" --json 2>/dev/null \
      | python3 -c '
import json, sys
r = json.load(sys.stdin)["report"]["splits"]
s = {x["split"]: x for x in r}
right = s["dev"]["track_vote"]["correct"] + s["test"]["track_vote"]["correct"]
total = s["dev"]["track_vote"]["tracks"] + s["test"]["track_vote"]["tracks"]
frac = [s[k].get("reconstruction_fraction") for k in ("train", "dev", "test")]
cells = ["%.2f" % f if f is not None else "-" for f in frac]
print("\t".join([sys.argv[1], sys.argv[2], "%.3f" % s["dev"]["accuracy"], "%.3f" % s["test"]["accuracy"], str(right), str(total)] + cells))
' "$name" "$seed"
  done
done
