#!/usr/bin/env python3
"""Turns models/compare-btcvae.sh's lines into the README's markdown table: per input and
model, the mean over seeds of held-out clip accuracy (range), held-out tracks right by vote
summed over seeds, the test reconstruction error as a share of variance, and MIG for genre
and for each descriptor."""
import collections
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = collections.OrderedDict()
for r in rows:
    groups.setdefault((r["input"], r["model"]), []).append(r)
factors = None
print_rows = []
for (input_, model), rs in groups.items():
    migs = [dict(kv.split("=") for kv in r["mig"].split(",")) for r in rs]
    if factors is None:
        factors = list(migs[0].keys())
    mean = lambda xs: sum(xs) / len(xs)
    if rs[0]["held_out_accuracy"] != "-":
        accs = [float(r["held_out_accuracy"]) for r in rs]
        acc = "%.1f %% (%.1f-%.1f)" % (100 * mean(accs), 100 * min(accs), 100 * max(accs))
        tracks = "%d/%d" % (sum(int(r["tracks_right"]) for r in rs),
                            sum(int(r["tracks"]) for r in rs))
    else:
        acc, tracks = "-", "-"
    recon = "%.2f" % mean([float(r["test_recon_of_variance"]) for r in rs])
    mig = ["%.3f" % mean([float(m[f]) for m in migs]) for f in factors]
    name = model.replace("btcvae:", "β-TCVAE, β ")
    print_rows.append([input_, name, acc, tracks, recon] + mig)
header = ["input", "model", "held-out clips", "held-out tracks", "recon. / variance (test)"]
header += ["MIG " + f for f in factors]
print("| " + " | ".join(header) + " |")
print("|" + "---|" * len(header))
for r in print_rows:
    print("| " + " | ".join(r) + " |")
