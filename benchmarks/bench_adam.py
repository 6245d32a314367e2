"""Adam step time against memory bandwidth and PyTorch, measured in the same run.

    python benchmarks/bench_adam.py            # torch rows appear when torch is importable

An Adam step reads g, m, v, θ and writes m, v, θ: 7 arrays of memory traffic. The copy bandwidth
(np.copyto: 2 arrays of traffic) measured here is the ceiling; "× copy" is the fraction of it that
each implementation reaches. Target: adam_edu's in-place ``Adam.step`` at 1e7 float32 parameters
reaches at least 0.4× copy bandwidth. Medians of repeated runs; the machine is shared, so compare
rows of one run, not numbers across runs.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from adam_edu import Adam

REPEATS = {10**5: 200, 10**6: 40, 10**7: 8}


def median_seconds(function, repeats: int) -> float:
    function()  # warm up: page in the arrays, fill caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_rows(n, dtype, copy_bandwidth, repeats):
    try:
        import torch
    except ImportError:
        return []
    torch.set_num_threads(1)
    rows = []
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    for name, kwargs in (("torch Adam (default: foreach)", {}), ("torch Adam fused=True", {"fused": True})):
        p = torch.nn.Parameter(torch.randn(n, dtype=tdtype))
        p.grad = torch.randn(n, dtype=tdtype)
        try:
            optimizer = torch.optim.Adam([p], lr=1e-3, **kwargs)
        except (RuntimeError, ValueError) as error:  # fused may be unsupported on this CPU/build
            rows.append((name, n, dtype, float("nan"), float("nan"), f"unavailable: {error}"[:40]))
            continue
        seconds = median_seconds(optimizer.step, repeats)
        rows.append((name, n, dtype, seconds, 7 * n * np.dtype(dtype).itemsize / seconds / copy_bandwidth, ""))
    return rows


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'implementation':34} {'params':>8} {'dtype':>8} {'ms':>9} {'× copy':>7}  note")
    for n, repeats in REPEATS.items():
        for dtype in (np.float32, np.float64):
            theta = rng.standard_normal(n).astype(dtype)
            grads = rng.standard_normal(n).astype(dtype)
            target = np.empty_like(theta)
            copy_seconds = median_seconds(lambda: np.copyto(target, theta), repeats)
            copy_bandwidth = 2 * n * theta.itemsize / copy_seconds
            adam = Adam(lr=1e-3)
            state = adam.init(theta)
            rows = [("np.copyto (2 arrays of traffic)", n, dtype, copy_seconds, 1.0, f"{copy_bandwidth / 1e9:.1f} GB/s")]

            def in_place():
                nonlocal state
                state = adam.step(theta, grads, state)

            def readable():
                adam.update(theta, grads, state)

            for name, function in (("adam_edu Adam.step (in place)", in_place), ("adam_edu Adam.update (new arrays)", readable)):
                seconds = median_seconds(function, repeats)
                rows.append((name, n, dtype, seconds, 7 * n * theta.itemsize / seconds / copy_bandwidth, ""))
            rows += torch_rows(n, dtype, copy_bandwidth, repeats)
            for name, size, kind, seconds, fraction, note in rows:
                print(f"{name:34} {size:>8.0e} {np.dtype(kind).name:>8} {seconds * 1e3:>9.3f} {fraction:>7.2f}  {note}")
        print()
    print("target: Adam.step at 1e7 float32 parameters >= 0.40 × copy bandwidth")


if __name__ == "__main__":
    main()
