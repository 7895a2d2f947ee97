"""Writes the crafted model files of tests/fixtures/fuzz/load_model/: each is a way a model
file once broke (or could break) loading, and must be refused with the reason
`tests/fuzz_regressions.rs` expects. They start from a small but complete baseline model (10-d
input: segments of 400 samples pooled by 40, two genres), built here, so the fixtures stay a few
kilobytes. Run from the repository root (plain Python, no packages):

    python3 tests/reference/craft_model_fixtures.py
"""
import random
import json
import struct
from pathlib import Path

OUT = Path("tests/fixtures/fuzz/load_model")


def small_model():
    """A 10 -> 128 tanh -> 2 baseline as genrescope saves it (weights outputs x inputs)."""
    rng = random.Random(0)
    shapes = {"hidden.bias": [128], "hidden.weight": [128, 10], "out.bias": [2], "out.weight": [2, 128]}
    header, data = {}, bytearray()
    for name in sorted(shapes):
        count = 1
        for d in shapes[name]:
            count *= d
        start = len(data)
        data += struct.pack("<%df" % count, *(rng.uniform(-0.2, 0.2) for _ in range(count)))
        header[name] = {"dtype": "F32", "shape": shapes[name], "data_offsets": [start, len(data)]}
    meta = {
        "model": {"kind": "baseline", "input_dim": 10, "n_classes": 2,
                  "output_activation": "linear", "dropout_keep": 1.0, "gamma": 0.9,
                  "input_scale": 1.0},
        "genres": ["low", "high"],
        "features": {"sample_rate_hz": 22050, "segment_samples": 400, "pool": 40,
                     "max_segments_per_track": 20},
        "training": None,
    }
    header["__metadata__"] = {"genrescope.format": "genrescope-model/1",
                              "genrescope.meta": json.dumps(meta)}
    return header, data


def write(name, header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    (OUT / name).write_bytes(struct.pack("<Q", len(text)) + text + bytes(data))


def with_meta(header, edit):
    header = json.loads(json.dumps(header))
    meta = json.loads(header["__metadata__"]["genrescope.meta"])
    edit(meta)
    header["__metadata__"]["genrescope.meta"] = json.dumps(meta)
    header["__metadata__"].pop("genrescope.checksum", None)
    return header


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    header, data = small_model()
    write("valid-baseline.safetensors", header, data)
    # A NaN in the first weight of the hidden layer.
    start = header["hidden.weight"]["data_offsets"][0]
    nan = bytearray(data)
    nan[start : start + 4] = struct.pack("<f", float("nan"))
    write("nan-weight.safetensors", header, nan)
    write(
        "absurd-input-scale.safetensors",
        with_meta(header, lambda m: m["model"].update(input_scale=1e30)),
        data,
    )
    write(
        "genre-count-mismatch.safetensors",
        with_meta(header, lambda m: m.update(genres=m["genres"][:-1])),
        data,
    )
    write(
        "huge-input-dim.safetensors",
        with_meta(header, lambda m: m["model"].update(input_dim=1 << 40)),
        data,
    )
    f16 = json.loads(json.dumps(header))
    f16["out.bias"]["dtype"] = "F16"
    lo, hi = f16["out.bias"]["data_offsets"]
    f16["out.bias"]["shape"] = [(hi - lo) // 2]
    write("f16-tensor.safetensors", f16, data)
    whole = (OUT / "nan-weight.safetensors").read_bytes()
    (OUT / "truncated.safetensors").write_bytes(whole[: len(whole) // 3])
    (OUT / "header-length-overflow.safetensors").write_bytes(
        struct.pack("<Q", (1 << 63) + 17) + whole[8:64]
    )


if __name__ == "__main__":
    main()
