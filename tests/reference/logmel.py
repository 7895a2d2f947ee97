"""numpy reference for genrescope's log-mel patch, written independently from the Rust code:
librosa's mel filterbank formula (Slaney mel scale, norm="slaney"; librosa.filters.mel) and a
power STFT with a periodic Hann window over whole frames (no centre padding), then
10*log10(max(mel power, 10**(floor_db/10))), in float64.

usage: logmel.py WAV OFFSET SEGMENT N_FFT HOP N_MELS FMIN FMAX FLOOR_DB
Reads SEGMENT samples from OFFSET of a 16-bit mono WAV (int16 / 32768, as soundfile loads it)
and writes to stdout, as little-endian float32: the filterbank (n_mels x (n_fft/2+1)), then the
patch (frames x n_mels)."""
import sys
import wave

import numpy as np

path = sys.argv[1]
offset, segment, n_fft, hop, n_mels = (int(a) for a in sys.argv[2:7])
fmin, fmax, floor_db = (float(a) for a in sys.argv[7:10])

with wave.open(path, "rb") as w:
    assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
    rate = w.getframerate()
    x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
x = x[offset : offset + segment]


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-30) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / rate)
mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
fdiff = np.diff(mel_f)
ramps = np.subtract.outer(mel_f, fftfreqs)
weights = np.zeros((n_mels, len(fftfreqs)))
for i in range(n_mels):
    lower = -ramps[i] / fdiff[i]
    upper = ramps[i + 2] / fdiff[i + 1]
    weights[i] = np.maximum(0, np.minimum(lower, upper))
weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]

window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
frames = 1 + (len(x) - n_fft) // hop
stack = np.stack([x[f * hop : f * hop + n_fft] * window for f in range(frames)])
power = np.abs(np.fft.rfft(stack, axis=1)) ** 2
mel = power @ weights.T
patch = 10.0 * np.log10(np.maximum(mel, 10.0 ** (floor_db / 10.0)))

sys.stdout.buffer.write(weights.astype("<f4").tobytes())
sys.stdout.buffer.write(patch.astype("<f4").tobytes())
