"""librosa reference values for genrescope's audio descriptors, on real GTZAN clips.

usage: python tests/reference/descriptors_librosa.py GTZAN_DIR OUT.json

Needs librosa (`pip install librosa`, which brings numpy, scipy, soundfile and numba). The
checked-in fixture tests/fixtures/descriptors-librosa.json was produced with librosa 0.11.0
(numpy 2.4.6, scipy 1.17.1, numba 0.68.1); the versions used are recorded in the JSON. The exact
algorithms behind every value are written down in tests/reference/DESCRIPTORS.md.

GTZAN_DIR is a folder holding genres_original/<genre>/<genre>.0000N.wav (16-bit mono 22,050 Hz;
the script reads classical, jazz, metal and pop, ids 00000-00007, 32 tracks). Each track is read
with librosa.load(path, sr=None), i.e. float32 samples = int16 / 32768, no resampling.

Clips: for every track, y[offset : offset + 20000] with offset = k * 20000 for k = 0, 7 and 15
(96 clips). For each clip:
  rms_dbfs       20*log10(sqrt(mean(clip**2))) over the clip's samples (not frame-wise), in
                 float64; if that RMS < 1e-6 the value is -120.0 and "silent" is true
  centroid_hz    mean over frames of librosa.feature.spectral_centroid(y=clip, sr=22050,
                 n_fft=2048, hop_length=512)
  flatness       mean over frames of librosa.feature.spectral_flatness(y=clip, n_fft=2048,
                 hop_length=512)
  rolloff_hz     mean over frames of librosa.feature.spectral_rolloff(y=clip, sr=22050,
                 n_fft=2048, hop_length=512, roll_percent=0.85)
  zcr            mean over frames of librosa.feature.zero_crossing_rate(clip, frame_length=2048,
                 hop_length=512)
  onset_envelope librosa.onset.onset_strength(y=clip, sr=22050, hop_length=512) (40 values)
  onsets         librosa.onset.onset_detect(y=clip, sr=22050, hop_length=512) (frame indices)
  onset_rate_hz  len(onsets) / (len(clip) / 22050)
(frame means are np.mean(..., dtype=np.float64) over librosa's per-frame output; flatness
per frame is float32, the others float64.)

Stretches (for tempo): for every track, x = y[44100 : 44100 + 132300] (6 s from 2 s) with
  tempo_bpm      librosa.feature.tempo(y=x, sr=22050, hop_length=512)[0]
  onset_envelope librosa.onset.onset_strength(y=x, sr=22050, hop_length=512) (259 values)
  tempogram_mean the time-mean of librosa.feature.tempogram(onset_envelope=env, sr=22050,
                 hop_length=512, win_length=344), i.e. the 344-lag vector tempo() takes its
                 argmax over (after log1p(1e6 * .) + log-prior)
  best_lag       the lag (index into tempogram_mean) tempo() picked

Synthetic: "silence_20000" is 20000 samples of exact digital zeros run through every clip
descriptor above (plus tempo), recording whatever librosa returns; "nan_fields" lists any value
librosa returned as NaN (written as null, since JSON has no NaN).

Floats are rounded to 7 significant digits.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import numba
import librosa

SR = 22050
CLIP_LEN = 20000
SEGMENTS = (0, 7, 15)
STRETCH_OFFSET = 44100
STRETCH_LEN = 132300
GENRES = ("classical", "jazz", "metal", "pop")
IDS = range(8)
N_FFT = 2048
HOP = 512


def r7(v):
    """Round to 7 significant digits; NaN becomes None (JSON null)."""
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise ValueError("infinite value in fixture")
    return float(f"{v:.7g}")


def r7list(a):
    return [r7(v) for v in np.asarray(a).ravel()]


def rms_dbfs(clip):
    rms = math.sqrt(float(np.mean(clip.astype(np.float64) ** 2)))
    if rms < 1e-6:
        return -120.0, True
    return 20.0 * math.log10(rms), False


def clip_descriptors(clip):
    """Every clip descriptor, unrounded, plus the NaN bookkeeping."""
    assert clip.dtype == np.float32 and clip.ndim == 1
    db, silent = rms_dbfs(clip)
    cent = librosa.feature.spectral_centroid(y=clip, sr=SR, n_fft=N_FFT, hop_length=HOP)
    flat = librosa.feature.spectral_flatness(y=clip, n_fft=N_FFT, hop_length=HOP)
    roll = librosa.feature.spectral_rolloff(
        y=clip, sr=SR, n_fft=N_FFT, hop_length=HOP, roll_percent=0.85
    )
    zcr = librosa.feature.zero_crossing_rate(clip, frame_length=N_FFT, hop_length=HOP)
    env = librosa.onset.onset_strength(y=clip, sr=SR, hop_length=HOP)
    onsets = librosa.onset.onset_detect(y=clip, sr=SR, hop_length=HOP)
    n_frames = 1 + len(clip) // HOP
    for name, a in (("centroid", cent), ("flatness", flat), ("rolloff", roll), ("zcr", zcr)):
        assert a.shape == (1, n_frames), (name, a.shape)
    assert env.shape == (n_frames,), env.shape
    out = {
        "rms_dbfs": db,
        "silent": silent,
        "centroid_hz": float(np.mean(cent, dtype=np.float64)),
        "flatness": float(np.mean(flat, dtype=np.float64)),
        "rolloff_hz": float(np.mean(roll, dtype=np.float64)),
        "zcr": float(np.mean(zcr, dtype=np.float64)),
        "onset_rate_hz": len(onsets) / (len(clip) / SR),
        "n_frames": n_frames,
        "onsets": [int(i) for i in onsets],
        "onset_envelope": env,
    }
    nan_fields = [k for k in ("centroid_hz", "flatness", "rolloff_hz", "zcr") if math.isnan(out[k])]
    if np.isnan(env).any():
        nan_fields.append("onset_envelope")
    return out, nan_fields


def rounded(d):
    o = dict(d)
    for k in ("rms_dbfs", "centroid_hz", "flatness", "rolloff_hz", "zcr", "onset_rate_hz"):
        o[k] = r7(o[k])
    o["onset_envelope"] = r7list(o["onset_envelope"])
    return o


def tempo_details(x):
    env = librosa.onset.onset_strength(y=x, sr=SR, hop_length=HOP)
    bpm = float(librosa.feature.tempo(y=x, sr=SR, hop_length=HOP)[0])
    win = int(librosa.time_to_frames(8.0, sr=SR, hop_length=HOP))
    tg = librosa.feature.tempogram(onset_envelope=env, sr=SR, hop_length=HOP, win_length=win)
    tg_mean = np.mean(tg, axis=-1)
    bpms = librosa.tempo_frequencies(win, hop_length=HOP, sr=SR)
    with np.errstate(divide="ignore"):
        logprior = -0.5 * ((np.log2(bpms) - np.log2(120.0)) / 1.0) ** 2
    logprior[: int(np.argmax(bpms < 320.0))] = -np.inf
    best = int(np.argmax(np.log1p(1e6 * tg_mean) + logprior))
    assert bpms[best] == bpm, (bpms[best], bpm)
    return bpm, env, tg_mean, best


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    root, out_path = sys.argv[1], sys.argv[2]
    gdir = os.path.join(root, "genres_original")
    if not os.path.isdir(gdir):
        gdir = root
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    clips, stretches = [], []
    for genre in GENRES:
        for i in IDS:
            name = f"{genre}.{i:05d}.wav"
            y, sr = librosa.load(os.path.join(gdir, genre, name), sr=None)
            assert sr == SR and y.dtype == np.float32 and y.ndim == 1, (name, sr, y.dtype)
            for k in SEGMENTS:
                off = k * CLIP_LEN
                clip = y[off : off + CLIP_LEN]
                assert len(clip) == CLIP_LEN, (name, k, len(y))
                d, nan_fields = clip_descriptors(clip)
                rec = {"track": name, "genre": genre, "segment": k, "offset_samples": off,
                       "len_samples": CLIP_LEN}
                rec.update(rounded(d))
                if nan_fields:
                    rec["nan_fields"] = nan_fields
                clips.append(rec)
            x = y[STRETCH_OFFSET : STRETCH_OFFSET + STRETCH_LEN]
            assert len(x) == STRETCH_LEN
            bpm, env, tg_mean, best = tempo_details(x)
            stretches.append({
                "track": name, "genre": genre, "offset_samples": STRETCH_OFFSET,
                "len_samples": STRETCH_LEN, "tempo_bpm": r7(bpm), "best_lag": best,
                "onset_envelope": r7list(env), "tempogram_mean": r7list(tg_mean),
            })
            print(f"{name}: tempo {bpm:.2f} bpm", file=sys.stderr)

    z = np.zeros(CLIP_LEN, dtype=np.float32)
    d, nan_fields = clip_descriptors(z)
    bpm, _, _, best = tempo_details(z)
    silence = {"name": "silence_20000", "len_samples": CLIP_LEN}
    silence.update(rounded(d))
    silence["tempo_bpm"] = r7(bpm)
    silence["best_lag"] = best
    if math.isnan(bpm):
        nan_fields.append("tempo_bpm")
    silence["nan_fields"] = nan_fields

    doc = {
        "librosa": librosa.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "sample_rate_hz": SR,
        "n_fft": N_FFT,
        "hop_length": HOP,
        "note": "generated by tests/reference/descriptors_librosa.py; floats rounded to 7 "
                "significant digits; see tests/reference/DESCRIPTORS.md",
        "clips": clips,
        "stretches": stretches,
        "synthetic": [silence],
    }
    # One record per line: small, and diffs stay readable.
    def enc(v):
        return json.dumps(v, separators=(",", ":"), allow_nan=False)

    lines = []
    for key, val in doc.items():
        if isinstance(val, list):
            body = ",\n".join("  " + enc(r) for r in val)
            lines.append(f" {enc(key)}:[\n{body}\n ]")
        else:
            lines.append(f" {enc(key)}:{enc(val)}")
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    assert json.loads(text) == json.loads(enc(doc))
    with open(out_path, "w") as f:
        f.write(text)
    print(f"wrote {out_path}: {len(clips)} clips, {len(stretches)} stretches, "
          f"{os.path.getsize(out_path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
