#!/usr/bin/env bash
# The paper's last question, measured: the autoencoder, the DSAE and the β-TCVAE (at each β
# given) for both inputs with the recommended preset, on the same track splits of gtzan-mini
# (6 train, 1 dev, 1 test track per genre), seeds 0, 1 and 2; then `explain` on the whole
# folder for each model's MIG. One line per model and seed:
#   models/compare-btcvae.sh ../shared/gtzan-mini [BETA...] > btcvae.tsv
# (default β: 1 and 6; INPUTS="logmel" for one input). Summarise with
# models/summarise-btcvae.py btcvae.tsv.
set -euo pipefail
data=${1:?usage: $0 GTZAN_DIR [BETA...]}
shift
betas=("$@")
[ ${#betas[@]} -gt 0 ] || betas=(1 6)
bin=${GENRESCOPE_BIN:-target/release/genrescope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# MODELS="" leaves out the autoencoder and the DSAE (e.g. to add a β to an earlier table).
read -r -a variants <<< "${MODELS-autoencoder dsae}"
for b in "${betas[@]}"; do variants+=("btcvae:$b"); done
[ -n "${NO_HEADER:-}" ] || printf "input\tmodel\tseed\theld_out_clips\theld_out_accuracy\ttracks_right\ttracks\ttest_recon_of_variance\tseconds\tmig\n"
for input in ${INPUTS:-waveform logmel}; do
  for variant in "${variants[@]}"; do
    kind=${variant%%:*}
    extra=()
    if [ "$kind" = btcvae ]; then extra=(--beta "${variant#btcvae:}"); fi
    for seed in 0 1 2; do
      "$bin" train "$data" --input "$input" --preset recommended --model "$kind" "${extra[@]}" \
        --split track --seed "$seed" --out "$tmp/m.safetensors" --json 2>/dev/null > "$tmp/train.json"
      "$bin" explain "$tmp/m.safetensors" "$data" --json 2>/dev/null > "$tmp/explain.json"
      python3 - "$input" "$variant" "$seed" "$tmp/train.json" "$tmp/explain.json" <<'PY'
import json, sys
input_, variant, seed, train_path, explain_path = sys.argv[1:]
train = json.load(open(train_path))
explain = json.load(open(explain_path))
held = [s for s in train["report"]["splits"] if s["split"] in ("dev", "test")]
clips = sum(s["segments"] for s in held)
acc = [s["accuracy"] for s in held]
if all(a is not None for a in acc):
    accuracy = "%.3f" % (sum(s["accuracy"] * s["segments"] for s in held) / clips)
    right = str(sum(s["track_vote"]["correct"] for s in held))
    tracks = str(sum(s["track_vote"]["tracks"] for s in held))
else:
    accuracy = right = tracks = "-"
test = [s for s in train["report"]["splits"] if s["split"] == "test"][0]
frac = test.get("reconstruction_fraction")
mig = ",".join("%s=%.3f" % (g["factor"], g["mig"]) for g in explain["mig"])
print("\t".join([input_, variant, seed, str(clips), accuracy, right, tracks,
                 "%.2f" % frac if frac is not None else "-", "%.1f" % train["seconds"], mig]))
PY
    done
  done
done
