"""How fast is a training step of adam_edu's networks? Against PyTorch on the CPU, measured in the same run.

One step = forward, backward and an in-place Adam step (``opt.step``), float32, on a fixed batch.
Each side runs in its own worker process, alternately, never at the same time: in one process,
OpenBLAS's and torch's thread pools (each spin-waiting on the same 2 cores) slow each other down
tenfold. Each case alternates rounds (adam_edu, torch, adam_edu, ...) so that a burst of load on the
machine hits both, and reports the median time per step. Without torch installed, only adam_edu's
column is printed.

    python benchmarks/bench_nn.py            # all cases
    python benchmarks/bench_nn.py --quick    # fewer rounds

Targets: the paper's MLP (784-1000-1000-10, batch 128) within 1.3× of torch; the 64-64-10 MLP on the
8×8 digits faster than torch (there, Python overhead, not arithmetic, sets the time); the CNNs are
reported with their ratio. Dropout is off in every case so that both sides do the same arithmetic.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adam_edu import nn  # noqa: E402
from adam_edu.optimizers import Adam  # noqa: E402

HAVE_TORCH = importlib.util.find_spec("torch") is not None
torch = None  # imported by the torch worker only


# ---------------------------------------------------------------------------------------------
# The cases: (name, adam_edu model, input shape, torch network builder, target ratio or None)


def torch_mlp(sizes):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def torch_cnn(in_channels, channels, n_flat, n_hidden, n_classes):
    layers = []
    for out_channels in channels:
        layers += [
            torch.nn.Conv2d(in_channels, out_channels, 5, padding=2),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(3, stride=2, padding=1),
        ]
        in_channels = out_channels
    layers += [torch.nn.Flatten(), torch.nn.Linear(n_flat, n_hidden), torch.nn.ReLU(), torch.nn.Linear(n_hidden, n_classes)]
    return torch.nn.Sequential(*layers)


def cases():
    off = dict(dropout=0.0, input_dropout=0.0)
    return [
        (
            "MLP 784-1000-1000-10, batch 128",
            nn.MLP(784, (1000, 1000), 10, **off),
            (128, 784),
            lambda: torch_mlp([784, 1000, 1000, 10]),
            1.3,
        ),
        ("MLP 64-64-10 (digits), batch 128", nn.MLP(64, (64,), 10, **off), (128, 64), lambda: torch_mlp([64, 64, 10]), 1.0),
        (
            "CNN c64-c64-c128-1000, 1×28×28, batch 128",
            nn.CNN((1, 28, 28), (64, 64, 128), 1000, **off),
            (128, 1, 28, 28),
            lambda: torch_cnn(1, (64, 64, 128), 128 * 4 * 4, 1000, 10),
            None,
        ),
        (
            "CNN c8-c8-c16-32 (digits), batch 128",
            nn.CNN((1, 8, 8), (8, 8, 16), 32, **off),
            (128, 1, 8, 8),
            lambda: torch_cnn(1, (8, 8, 16), 16, 32, 10),
            None,
        ),
    ]


# ---------------------------------------------------------------------------------------------


def adam_edu_stepper(model, x, y):
    params = model.init(seed=0)
    opt = Adam(lr=1e-3)
    state = opt.init(params)

    def step():
        nonlocal state
        _, grads = model.loss_and_grads(params, x, y)
        state = opt.step(params, grads, state)

    return step


def torch_stepper(build, x, y):
    torch.manual_seed(0)
    net = build()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    return step


def time_steps(step, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def worker(side: str, case: int, seconds: float) -> None:
    """Run one case on one side for about ``seconds`` after warming up; print the step times as JSON."""
    global torch
    if side == "torch":
        import torch
    name, model, x_shape, build, target = cases()[case]
    rng = np.random.default_rng(0)
    x = rng.random(x_shape, dtype=np.float32)
    y = rng.integers(0, 10, x_shape[0])
    step = adam_edu_stepper(model, x, y) if side == "adam_edu" else torch_stepper(build, x, y)
    first = time_steps(step, 3)[-1]
    print(json.dumps(time_steps(step, max(3, min(200, int(seconds / first))))))


def run_worker(side: str, case: int, seconds: float) -> list[float]:
    command = [sys.executable, __file__, "--worker", side, "--case", str(case), "--seconds", str(seconds)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter ones")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per case")
    parser.add_argument("--worker", choices=["adam_edu", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.case, args.seconds)
    rounds = args.rounds or (2 if args.quick else 5)
    seconds = 0.4 if args.quick else 1.0

    torch_version = ""
    if HAVE_TORCH:
        probe = "import torch; print(torch.__version__, torch.get_num_threads())"
        torch_version = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split()
    print(f"adam_edu nn benchmark: Python {platform.python_version()}, NumPy {np.__version__}", end="")
    print(f", torch {torch_version[0]} ({torch_version[1]} threads)" if HAVE_TORCH else ", torch not installed", end="")
    print(f", {os.cpu_count()} CPUs; float32, forward + backward + in-place Adam; median over {rounds} alternating rounds")
    threads = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    if threads:
        print("thread settings:", threads)

    header = f"{'case':<44} {'adam_edu ms':>12} {'torch ms':>9} {'ratio':>6} {'target':>7}"
    print(header)
    print("-" * len(header))
    for case, (name, _, _, _, target) in enumerate(cases()):
        ours_times, torch_times = [], []
        for _ in range(rounds):
            ours_times += run_worker("adam_edu", case, seconds)
            if HAVE_TORCH:
                torch_times += run_worker("torch", case, seconds)
        ours_ms = 1e3 * float(np.median(ours_times))
        target_text = f"≤ {target:.1f}×" if target else "report"
        row = f"{name:<44} {ours_ms:>12.2f}"
        if HAVE_TORCH:
            torch_ms = 1e3 * float(np.median(torch_times))
            ratio = ours_ms / torch_ms
            mark = "" if target is None else ("  ok" if ratio <= target else "  MISSED")
            row += f" {torch_ms:>9.2f} {ratio:>5.2f}× {target_text:>7}{mark}"
        else:
            row += f" {'—':>9} {'—':>6} {target_text:>7}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
