"""numpy reference for genrescope's pooling: for each 16-bit PCM WAV given, the authors'
`x[:n].reshape(-1, pool).mean(1)` on float32 samples (int16 / 32768, as librosa/soundfile load
them), written to stdout as little-endian float32, files one after another."""
import sys
import wave

import numpy as np

segment, pool, segments = (int(a) for a in sys.argv[1:4])
for path in sys.argv[4:]:
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    n = (len(x) // segment if segments == 0 else min(segments, len(x) // segment)) * segment
    sys.stdout.buffer.write(x[:n].reshape(-1, pool).mean(1).astype("<f4").tobytes())
