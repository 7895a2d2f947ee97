#!/usr/bin/env bash
# Table 1 for both representations side by side, each with its preset, on the same track
# splits of gtzan-mini (6 train, 1 dev, 1 test track per genre), seeds 0, 1 and 2:
#   models/compare-representations.sh ../shared/gtzan-mini [PRESET] > table1.tsv
set -euo pipefail
data=${1:?usage: $0 GTZAN_DIR [paper|recommended]}
preset=${2:-recommended}
bin=${GENRESCOPE_BIN:-target/release/genrescope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "input\tpreset\tseed\tsplit\tclips\taccuracy\ttracks_right\ttracks\trecon_of_variance\tseconds\n"
for input in waveform logmel; do
  for seed in 0 1 2; do
    "$bin" train "$data" --input "$input" --preset "$preset" --split track --seed "$seed" \
      --out "$tmp/m.safetensors" --json 2>/dev/null \
      | python3 -c '
import json, sys
out = json.load(sys.stdin)
for s in out["report"]["splits"]:
    v = s["track_vote"]
    frac = s.get("reconstruction_fraction")
    print("\t".join(sys.argv[1:4] + [s["split"], str(s["segments"]), "%.3f" % s["accuracy"],
          str(v["correct"]), str(v["tracks"]), "%.2f" % frac if frac is not None else "-",
          "%.1f" % out["seconds"]]))
' "$input" "$preset" "$seed"
  done
done
