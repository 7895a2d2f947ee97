#!/usr/bin/env python3
"""The Python side of scripts/bench-peers: the stages of `genrescope bench` as a researcher would
write them with librosa, soundfile, PyTorch and scikit-learn, plus the report that sets both sides
next to each other.

Adapted from the authors'-architecture reference in ../shared/peers/bench.py (same model, same
stages); gen.py beside this file is that folder's corpus generator, unchanged.

Each measuring subcommand runs in a fresh process (so one stage's imports and caches do not help
another) and prints one JSON object: {"rows": [{"key", "variant", "value", "unit"}], "extra": {}}.
The keys are the ones `genrescope bench --json` gives its rows, so the report can pair them;
Python values are always in seconds (genrescope's keys end in their unit: _s, _ms, _us).
Thread counts come from the environment (OMP_NUM_THREADS etc., set by bench-peers) and --threads.

  peer.py ingest --loader librosa|soundfile CORPUS OUT.npy   (timed from outside, whole process)
  peer.py decode CORPUS          in-process features of every track (waveform and log-mel)
  peer.py train --model dsae|baseline --batch N --threads T [--rows N --dim D]
  peer.py infer --threads T CORPUS
                                 forward pass, PCA, decoder step, slider steps (waveform, log-mel)
  peer.py gemm                   this machine's sgemm GFLOP/s (the floor for training)
  peer.py report RUN_DIR --json OUT.json --command "..."
"""
import argparse
import glob
import itertools
import json
import os
import platform
import statistics as st
import sys
import time

GENRES = ["classical", "jazz", "metal", "pop"]   # gen.py's
SR, SEG, SEGMENTS, POOL = 22050, 20000, 20, 40    # the paper's features: 20 x 20000 samples / 40
DIM = SEG // POOL                                 # 500
# genrescope's default log-mel patch (MelParams): 64 bands, n_fft 1024, hop 512, whole frames
# only (no centring), dB with a -80 dB floor; 38 frames of a 20,000-sample segment.
MEL = dict(sr=SR, n_fft=1024, hop_length=512, center=False, fmin=0, fmax=SR / 2)
N_MELS, FLOOR_POWER = 64, 1e-8
LOGMEL_DIM = N_MELS * (1 + (SEG - MEL["n_fft"]) // MEL["hop_length"])   # 2,432
N_TRAIN, LR, KEEP, GAMMA = 6000, 1e-4, 0.9, 0.9
# One DSAE training epoch in matrix-product FLOPs (forward, dL/dW, dL/dX except the input layer),
# as bench.py's flop_model counts them: 13.67 GFLOP for 6,000 rows, whatever the batch size.
EPOCH_GFLOP = 13.673


# The authors' DSAE, per layer (in, out, activation, dropout after it); bench.py's spec.
def enc_spec(dim=DIM):
    return [(dim, 256, "sigmoid", False), (256, 192, "tanh", True),
            (192, 128, "relu", False), (128, 64, "relu", False)]


def dec_spec(dim=DIM):   # linear output: genrescope's default
    return [(64, 128, "sigmoid", False), (128, 192, "sigmoid", True),
            (192, 256, "relu", False), (256, dim, "linear", False)]


CLS = [(64, 32, "tanh", False), (32, 16, "tanh", False), (16, 4, "linear", False)]
# genrescope's baseline: one hidden layer of 128 tanh, then the logits.
BASE = [(DIM, 128, "tanh", False), (128, 4, "linear", False)]


def out(rows, **extra):
    print(json.dumps({"rows": rows, "extra": extra}))


def row(key, variant, value, unit="s"):
    return {"key": key, "variant": variant, "value": value, "unit": unit}


def median_time(fn, n, warm=1):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return st.median(ts)


def synthetic(n, dim, seed):
    """Inputs with the amplitude of pooled music, as genrescope bench makes them."""
    import numpy as np
    x = ((np.random.default_rng(seed).random((n, dim), dtype=np.float32) - 0.5) * 0.3)
    return x, np.arange(n) % 4


def wav_paths(corpus):
    return [p for g in GENRES for p in sorted(glob.glob(os.path.join(corpus, g, "*.wav")))]


def seg_pool(y):
    return y[:SEGMENTS * SEG].reshape(SEGMENTS, DIM, POOL).mean(axis=2)


def loader(name):
    if name == "librosa":
        import librosa
        return lambda p: librosa.load(p, sr=SR)[0]
    import soundfile as sf
    return lambda p: sf.read(p, dtype="float32")[0]


# ---------------------------------------------------------------- ingestion
def cmd_ingest(a):
    """What a researcher's prep script does: load every track, cut, pool, save one matrix.
    Timed from outside (imports included), like `genrescope features`."""
    import numpy as np
    load = loader(a.loader)
    X = np.concatenate([seg_pool(load(p)) for p in wav_paths(a.corpus)])
    np.save(a.out, X)


def log_mel(y):
    """The 20 log-mel patches of a track, frames one after another: 20 x (38 * 64)."""
    import numpy as np
    import librosa
    S = librosa.feature.melspectrogram(y=y[:SEGMENTS * SEG].reshape(SEGMENTS, SEG),
                                       n_mels=N_MELS, **MEL)               # 20 x 64 x 38
    return 10 * np.log10(np.maximum(S, FLOOR_POWER)).transpose(0, 2, 1).reshape(SEGMENTS, -1)


def cmd_decode(a):
    """In-process decode + features of every track, median of 3 passes after one file of
    warm-up (librosa imports lazily on its first call), as genrescope bench times its loading."""
    import numpy as np
    paths = wav_paths(a.corpus)
    rows = []
    for name, label in (("librosa", "librosa.load"), ("soundfile", "soundfile.read")):
        load = loader(name)
        for key, feats, what in (("ingest_waveform_s", seg_pool, "pool"),
                                 ("ingest_logmel_s", log_mel, "librosa mel")):
            feats(load(paths[0]))
            secs = median_time(lambda: np.concatenate([feats(load(p)) for p in paths]), 3, 0)
            rows.append(row(key, f"{label} + {what}", secs))
    out(rows, tracks=len(paths))


# ---------------------------------------------------------------- models (PyTorch)
def torch_setup(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    return torch


def mlp(spec):
    import torch.nn as nn
    acts = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    layers = []
    for i, o, act, drop in spec:
        lin = nn.Linear(i, o)
        nn.init.xavier_uniform_(lin.weight)   # Glorot uniform, zero biases, as the authors
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if act in acts:
            layers.append(acts[act]())
        if drop:
            layers.append(nn.Dropout(1 - KEEP))
    return nn.Sequential(*layers)


def threads_label(t, lib="PyTorch"):
    return f"{lib}, {t} thread" + ("s" if t > 1 else "")


def cmd_train(a):
    torch = torch_setup(a.threads)
    import torch.nn.functional as F
    x, y = synthetic(a.rows, a.dim, 1)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    if a.model == "dsae":
        enc, dec, cls = mlp(enc_spec(a.dim)), mlp(dec_spec(a.dim)), mlp(CLS)
        mods = (enc, dec, cls)

        def loss_of(xb, yb):
            z = enc(xb)
            return GAMMA * F.mse_loss(dec(z), xb) + (1 - GAMMA) * F.cross_entropy(cls(z), yb)
    else:
        net = mlp(BASE)
        mods = (net,)

        def loss_of(xb, yb):
            return F.cross_entropy(net(xb), yb)
    params = [p for m in mods for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=LR)
    for m in mods:
        m.train()

    def batches():
        perm = torch.randperm(a.rows)
        for i in range(0, a.rows, a.batch):
            idx = perm[i:i + a.batch]
            yield X[idx], Y[idx]

    def epoch():
        for xb, yb in batches():
            loss = loss_of(xb, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return loss.item()   # waits for the last step, as a training loop reporting loss does

    key = {(DIM, N_TRAIN): f"train_epoch_{a.model}_b{a.batch}",
           (LOGMEL_DIM, 480): f"train_epoch_logmel_480_b{a.batch}"}[a.dim, a.rows]
    out([row(key, threads_label(a.threads), median_time(epoch, 3))], torch=torch.__version__)


def cmd_infer(a):
    torch = torch_setup(a.threads)
    import numpy as np
    import librosa
    import sklearn
    from sklearn.decomposition import PCA
    enc, dec, cls = (mlp(s).eval() for s in (enc_spec(), dec_spec(), CLS))
    x8, _ = synthetic(8000, DIM, 2)
    X8 = torch.from_numpy(x8)
    label = threads_label(a.threads)
    rows = []

    def forward():
        with torch.inference_mode():
            z = enc(X8)
            return z, cls(z), dec(z)
    rows.append(row("forward_8000", label, median_time(forward, 5)))
    z = forward()[0].numpy()

    sk = threads_label(a.threads, "scikit-learn")
    rows.append(row("pca_8000x500_s", sk, median_time(lambda: PCA(2).fit_transform(x8), 5)))
    rows.append(row("pca_8000x64_s", sk, median_time(lambda: PCA(2).fit_transform(z), 5)))

    def decoders(net):
        """One code through `net`: PyTorch, and the same weights as a hand-rolled NumPy MLP
        (the fastest Python answer to "decode one vector" we know)."""
        Ws = [(l.weight.detach().numpy().T.copy(), l.bias.detach().numpy().copy())
              for l in net if isinstance(l, torch.nn.Linear)]
        acts = [act for _, _, act, _ in dec_spec()]

        def np_dec(c):
            h = c
            for (W, b), act in zip(Ws, acts):
                h = h @ W + b
                if act == "sigmoid":
                    h = 1 / (1 + np.exp(-h))
                elif act == "tanh":
                    h = np.tanh(h)
                elif act == "relu":
                    h = np.maximum(h, 0)
            return h

        def torch_dec(c):
            with torch.inference_mode():
                return net(torch.from_numpy(c)).numpy()
        assert np.allclose(np_dec(z[:1]), torch_dec(z[:1]), atol=1e-5)
        return (label, torch_dec), (threads_label(a.threads, "NumPy"), np_dec)

    za, zb = z[:1], z[1:2]
    for name, f in decoders(dec):
        rows.append(row("decoder_step_us", name, median_time(lambda: f(za), 1000, warm=100)))

    def to_device(y):
        """22,050 Hz mono to 44.1 kHz stereo (librosa.resample = soxr)."""
        return np.repeat(librosa.resample(y, orig_sr=SR, target_sr=44100)[:, None], 2, axis=1)

    # Slider steps, as genrescope's decoder worker does them: lerp the two codes, decode, make
    # audible, convert for the device.
    # Waveform: upsample the pooled 551.25 Hz signal to 22,050 Hz.
    def waveform_step(f, t):
        y = f((1 - t) * za + t * zb)[0]
        return to_device(librosa.resample(y, orig_sr=SR / POOL, target_sr=SR))
    # Log-mel: dB to power, NNLS mel inversion, 32 fast Griffin-Lim iterations (librosa's
    # momentum 0.99, as genrescope's), through a log-mel DSAE's decoder (64 -> 2,432). The
    # inverted patch is a real one from the corpus, not this untrained decoder's output: the
    # NNLS solver's work depends on the spectrum, and the output of random weights is no
    # spectrum; the decoder is still run and timed.
    seg = loader("soundfile")(wav_paths(a.corpus)[0])
    power = librosa.db_to_power(log_mel(seg)[0].reshape(-1, N_MELS).T)      # 64 x 38

    def logmel_step(f, t):
        f((1 - t) * za + t * zb)
        return to_device(librosa.feature.inverse.mel_to_audio(power, n_iter=32, **MEL))
    for key, step, net, n in (("slider_step_waveform_ms", waveform_step, dec, 100),
                              ("slider_step_logmel_ms", logmel_step,
                               mlp(dec_spec(LOGMEL_DIM)).eval(), 20)):
        for name, f in decoders(net):
            k = itertools.count()   # t walks 0, 1/9, ..., 1 as in genrescope bench
            secs = median_time(lambda: step(f, next(k) % 10 / 9), n, warm=2)
            rows.append(row(key, f"{name} + librosa", secs))
    out(rows, torch=torch.__version__, librosa=librosa.__version__, sklearn=sklearn.__version__,
        numpy=np.__version__)


def cmd_embed(a):
    """scikit-learn's t-SNE and umap-learn's UMAP of the bottleneck genrescope bench mapped."""
    import numpy as np
    import sklearn
    from sklearn.manifold import TSNE, trustworthiness
    if not os.path.exists(a.data):
        sys.exit(f"{a.data} is missing: `genrescope bench --embed-data` writes it")
    x = np.load(a.data).astype(np.float32)
    rows = []
    sk = f"scikit-learn {sklearn.__version__}, perplexity 30, PCA start"
    t = time.perf_counter()
    y = TSNE(perplexity=30, init="pca", random_state=0).fit_transform(x)
    rows.append(row("tsne_8000x64_s", sk, time.perf_counter() - t))
    rows.append(row("trust_tsne_8000x64", sk, float(trustworthiness(x, y, n_neighbors=10)), "trust"))
    import umap
    # The first call compiles umap-learn's numba kernels: warm them up on a few rows first.
    umap.UMAP(n_neighbors=15, random_state=0, init="pca", n_epochs=5).fit_transform(x[:300])
    for init in ("pca", "spectral"):
        variant = f"umap-learn {umap.__version__}, 15 neighbours, {init} start, seeded"
        t = time.perf_counter()
        u = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0, init=init).fit_transform(x)
        rows.append(row("umap_8000x64_s", variant, time.perf_counter() - t))
        rows.append(row("trust_umap_8000x64", variant,
                        float(trustworthiness(x, u, n_neighbors=10)), "trust"))
    out(rows, sklearn=sklearn.__version__, umap=umap.__version__)


def cmd_gemm(a):
    """The highest sgemm rate PyTorch or NumPy reach here (bench.py's gemm stage)."""
    torch = torch_setup(os.cpu_count())
    best = {}
    for n in (1024, 2048):
        A, B = torch.randn(n, n), torch.randn(n, n)
        An, Bn = A.numpy(), B.numpy()
        for name, f in (("PyTorch", lambda: A @ B), ("NumPy", lambda: An @ Bn)):
            gflops = 2 * n ** 3 / median_time(f, 10, warm=3) / 1e9
            if gflops > best.get("value", 0):
                best = row("sgemm_gflops", f"{name} {n}x{n}", gflops, "GFLOP/s")
    out([best])


# ---------------------------------------------------------------- report
# The table's rows, in order: genrescope bench's keys, plus the whole-process ingestion this
# script times itself; genrescope rows with other keys follow, without a peer.
LABELS = {
    "ingest_process_s": "features of 400 tracks, whole process (`features X.npy` / a script)",
    "ingest_process_peak_mb": "  peak memory of that process",
    "ingest_waveform_s": "decode + waveform features, 400 tracks, in process",
    "ingest_logmel_s": "decode + log-mel features, 400 tracks, in process",
    "train_epoch_dsae_b512": "one DSAE epoch, 6,000 x 500, batch 512",
    "train_epoch_dsae_b64": "one DSAE epoch, 6,000 x 500, batch 64",
    "train_epoch_baseline_b512": "one baseline epoch, 6,000 x 500, batch 512",
    "train_epoch_logmel_480_b64": "one log-mel DSAE epoch, 480 x 2,432, batch 64",
    "forward_8000": "forward pass, 8,000 clips (codes, logits, reconstructions)",
    "decoder_step_us": "one decoder step, 64 -> 500",
    "pca_8000x500_s": "PCA of the raw input, 8,000 x 500",
    "pca_8000x64_s": "PCA of the bottleneck, 8,000 x 64",
    "slider_step_waveform_ms": "slider step, waveform: decode + upsample + convert for the device",
    "slider_step_logmel_ms": "slider step, log-mel: decode + Griffin-Lim + convert for the device",
    "tsne_8000x64_s": "t-SNE of the bottleneck, 8,000 x 64 (perplexity 30, 1,000 iterations)",
    "trust_tsne_8000x64": "  its trustworthiness (k = 10; higher keeps more neighbours)",
    "umap_8000x64_s": "UMAP of the bottleneck, 8,000 x 64 (15 neighbours, 500 epochs)",
    "trust_umap_8000x64": "  its trustworthiness (k = 10)",
    "trust_pca_8000x64": "  trustworthiness of the PCA map of the same rows",
}
SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "MB": 1.0}   # times to seconds


def genrescope_rows(path):
    rows = {}
    for r in json.load(open(path)):
        key = r.get("key")
        if not key:
            sys.exit(f"{path}: rows without a `key`; rebuild genrescope (cargo build --release)")
        if r["unit"] in SCALE:
            rows[key] = (r["value"] * SCALE[r["unit"]], "MB" if r["unit"] == "MB" else "s")
        elif key.startswith("trust_"):
            rows[key] = (r["value"], "trust")
        else:   # a unit without a Python counterpart (x real time, ...): shown, not compared
            rows[key] = (r["value"], r["unit"])
    return rows


def time_file(path):
    """/usr/bin/time -f '%e %M' output: wall seconds, peak RSS in KiB (last line)."""
    wall, kib = open(path).read().split("\n")[-2].split()
    return float(wall), float(kib) / 1024


def fmt(v, unit):
    if unit == "trust":
        return f"{v:.3f}"
    if unit == "MB":
        return f"{v:.0f} MB"
    if unit != "s":
        return f"{v:.3g} {unit}"
    if v >= 1:
        return f"{v:.2f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.3g} ms"
    return f"{v * 1e6:.3g} µs"


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    return dict(cpu=cpu, cores=os.cpu_count(), memory_GB=round(mem / 2 ** 20, 1),
                kernel=platform.release(), python=platform.python_version())


def cmd_report(a):
    gs, py, extra, rounds = {}, {}, {}, sorted(glob.glob(os.path.join(a.run_dir, "round-*")))

    def add(side, key, variant, value, unit):
        side.setdefault(key, {}).setdefault(variant, {"unit": unit, "values": []})
        side[key][variant]["values"].append(value)
    for rd in rounds:
        if os.path.exists(f"{rd}/gs-bench.json"):
            for key, (v, unit) in genrescope_rows(f"{rd}/gs-bench.json").items():
                add(gs, key, "genrescope", v, unit)
        if os.path.exists(f"{rd}/gs-ingest.time"):
            wall, mb = time_file(f"{rd}/gs-ingest.time")
            add(gs, "ingest_process_s", "genrescope", wall, "s")
            add(gs, "ingest_process_peak_mb", "genrescope", mb, "MB")
        for tf in glob.glob(f"{rd}/py-ingest-*.time"):
            wall, mb = time_file(tf)
            name = tf.rsplit("py-ingest-", 1)[1][:-5]
            add(py, "ingest_process_s", f"{name} script", wall, "s")
            add(py, "ingest_process_peak_mb", f"{name} script", mb, "MB")
        for jf in sorted(glob.glob(f"{rd}/py-*.json")):
            d = json.load(open(jf))
            extra.update(d["extra"])
            for r in d["rows"]:
                add(py, r["key"], r["variant"], r["value"], r["unit"])
    for side in (gs, py):
        for variants in side.values():
            for v in variants.values():
                v["median"] = st.median(v["values"])
    gemm = py.pop("sgemm_gflops", {})

    print(f"| stage | genrescope | Python peer | ratio |\n|---|---|---|---|")
    table = []
    for key in list(LABELS) + sorted(k for k in gs if k not in LABELS):
        if key not in gs and key not in py:
            continue
        g = gs.get(key, {}).get("genrescope")
        # The peer is the fastest Python variant measured (threads, loader, library): the ratio
        # should not flatter genrescope by picking a slow configuration.
        best = min(py.get(key, {}).items(), key=lambda kv: kv[1]["median"], default=None)
        if key.startswith("trust_"):   # a score: the peer that keeps the most neighbours
            best = max(py.get(key, {}).items(), key=lambda kv: kv[1]["median"], default=None)
        ratio = (best[1]["median"] / g["median"]
                 if g and best and g["median"] > 0 and g["unit"] == best[1]["unit"]
                 and g["unit"] in ("s", "MB") else None)
        table.append(dict(key=key, genrescope=g and g["median"],
                          python=best and best[1]["median"], python_variant=best and best[0],
                          ratio=ratio))
        print(f"| {LABELS.get(key, key)} | {fmt(g['median'], g['unit']) if g else '—'} | "
              + (f"{fmt(best[1]['median'], best[1]['unit'])} ({best[0]})" if best else "—")
              + f" | {f'{ratio:.2f}×' if ratio else '—'} |")

    floor = None
    if gemm:
        name, g = max(gemm.items(), key=lambda kv: kv[1]["median"])
        floor = dict(epoch_gflop=EPOCH_GFLOP, sgemm_gflops=g["median"], sgemm=name,
                     epoch_floor_s=EPOCH_GFLOP / g["median"])
        times = "; ".join(
            f"batch {t['key'].rsplit('_b', 1)[1]}: "
            + ", ".join(f"{who} {t[k] / floor['epoch_floor_s']:.1f}×"
                        for who, k in (("genrescope", "genrescope"), ("Python", "python")) if t[k])
            for t in table if t["key"].startswith("train_epoch_dsae"))
        print(f"\nFloor: one DSAE epoch is {EPOCH_GFLOP:.1f} GFLOP of matrix products; at this "
              f"machine's best sgemm, {g['median']:.0f} GFLOP/s ({name}, {os.cpu_count()} "
              f"threads), that takes {fmt(floor['epoch_floor_s'], 's')}. Epochs against that "
              f"floor: {times}.")
    same = None
    last = rounds[-1] if rounds else ""
    if os.path.exists(f"{last}/gs.npy") and os.path.exists(f"{last}/py-librosa.npy"):
        import numpy as np
        A, B = np.load(f"{last}/gs.npy"), np.load(f"{last}/py-librosa.npy")
        same = float(np.abs(A - B).max()) if A.shape == B.shape else f"{A.shape} vs {B.shape}"
        print(f"\nSame features on both sides: largest difference {same}"
              if isinstance(same, float) else f"\nFeatures differ in shape: {same}")
    busy = []   # lines "STEP OTHERS_CPU_S WALL_S" written by bench-peers
    for rd in rounds:
        if os.path.exists(f"{rd}/busy"):
            for line in open(f"{rd}/busy").read().splitlines():
                name, cpu, wall = line.split()
                busy.append(f"{os.path.basename(rd)} {name} ({cpu} CPU s in {wall} s)")
    if busy:
        print(f"\nWarning: other work used the CPU during {len(busy)} step(s); their figures "
              f"are unreliable (the medians resist one bad round): {'; '.join(busy)}.")
    info = machine()
    print(f"\nRatio = Python / genrescope (above 1: genrescope is faster or leaner); medians of "
          f"{len(rounds)} interleaved round(s). Python peer = the fastest Python variant measured. "
          f"{info['cpu']}, {info['cores']} cores, {info['memory_GB']} GB; `{a.command}`.")
    if a.json:
        with open(a.json, "w") as f:
            loads = [open(f"{rd}/load").read().strip() for rd in rounds]   # /proc/loadavg
            json.dump(dict(machine=info, command=a.command, rounds=len(rounds), loads=loads,
                           busy_steps=busy, table=table, floor=floor, versions=extra,
                           features_max_abs_diff=same, genrescope=gs, python=py, sgemm=gemm),
                      f, indent=1, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ingest")
    p.add_argument("--loader", choices=("librosa", "soundfile"), default="librosa")
    p.add_argument("corpus")
    p.add_argument("out")
    p = sub.add_parser("decode")
    p.add_argument("corpus")
    p = sub.add_parser("train")
    p.add_argument("--model", choices=("dsae", "baseline"), default="dsae")
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--rows", type=int, default=N_TRAIN)
    p.add_argument("--dim", type=int, default=DIM, help=f"input width ({LOGMEL_DIM}: log-mel)")
    p = sub.add_parser("infer")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("corpus")
    sub.add_parser("gemm")
    p = sub.add_parser("embed")
    p.add_argument("data", help="the .npy `genrescope bench --embed-data` wrote")
    p = sub.add_parser("report")
    p.add_argument("run_dir")
    p.add_argument("--json")
    p.add_argument("--command", default="scripts/bench-peers")
    a = ap.parse_args()
    globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
