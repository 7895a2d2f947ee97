#!/usr/bin/env bash
# How the shipped gtzan-mini models' settings are chosen: each candidate is cross-validated
# over tracks (kfold:8 — 8 folds of 4 tracks, one per genre, each the test once with the next
# fold as dev, the rest train), so every track is held out exactly once and no score rests on
# one track per genre. Beside each candidate, a logistic-regression probe on the same input
# vectors in the same folds: what a linear read-out of the input scores without any network.
#   models/select-settings.sh logmel ../shared/gtzan-mini > logmel.tsv
#   models/select-settings.sh mfcc ../shared/gtzan-mini > mfcc.tsv
#   models/select-settings.sh waveform ../shared/gtzan-mini > waveform.tsv
# Columns: mean and sample sd over the folds of clip and track (majority vote) accuracy, the
# probe's, and the median epoch that early stopping kept (where it was on).
# Only some candidates: CANDIDATES="name1 name2" models/select-settings.sh INPUT DIR
# Another fold count: FOLDS=4 models/select-settings.sh ...
set -euo pipefail
input=${1:?usage: $0 waveform|logmel|mfcc GTZAN_DIR}
data=${2:?usage: $0 waveform|logmel|mfcc GTZAN_DIR}
bin=${GENRESCOPE_BIN:-target/release/genrescope}
folds=${FOLDS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$input" in
  waveform) candidates=(
    "paper|--preset paper"
    "recommended|--preset recommended"
    "recommended-wd0.1|--preset recommended --weight-decay 0.1"
    "recommended-noise0.3|--preset recommended --input-noise 0.3"
  ) ;;
  logmel|mfcc) candidates=(
    "paper|--preset paper"
    "recommended|--preset recommended"
    "wd0.1|--preset recommended --weight-decay 0.1"
    "wd1|--preset recommended --weight-decay 1"
    "noise0.5|--preset recommended --input-noise 0.5"
    "masks8|--preset recommended --time-mask 8 --band-mask 8"
    "early120|--preset recommended --epochs 120 --best-on-dev"
    "all-segments|--preset recommended --segments all"
    "masks8-noise0.5|--preset recommended --time-mask 8 --band-mask 8 --input-noise 0.5"
    "masks8-noise0.5-wd1|--preset recommended --time-mask 8 --band-mask 8 --input-noise 0.5 --weight-decay 1"
  ) ;;
  *) echo "input must be waveform, logmel or mfcc" >&2; exit 2 ;;
esac
if [ -n "${CANDIDATES:-}" ]; then
  kept=()
  for entry in "${candidates[@]}"; do
    for want in $CANDIDATES; do [ "${entry%%|*}" = "$want" ] && kept+=("$entry"); done
  done
  candidates=("${kept[@]}")
fi
printf "candidate\tclip_mean\tclip_sd\ttrack_mean\ttrack_sd\tprobe_clip_mean\tprobe_clip_sd\tprobe_track_mean\tprobe_track_sd\tkept_epoch\tseconds\n"
for entry in "${candidates[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  # shellcheck disable=SC2086
  "$bin" train "$data" --input "$input" --split "kfold:$folds" $args \
    --out "$tmp/m.safetensors" --json 2>/dev/null \
    | python3 -c '
import json, sys
r = json.load(sys.stdin)
kept = sorted(f["best_epoch"] for f in r["folds"] if "best_epoch" in f)
cells = [r["mean_accuracy"], r["sd_accuracy"], r["mean_track_accuracy"], r["sd_track_accuracy"],
         r["probe_mean_accuracy"], r["probe_sd_accuracy"], r["probe_mean_track_accuracy"],
         r["probe_sd_track_accuracy"]]
print("\t".join([sys.argv[1]] + ["%.3f" % c for c in cells]
                + [str(kept[len(kept) // 2]) if kept else "-", "%.0f" % r["seconds"]]))
' "$name"
done
