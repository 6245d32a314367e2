r"""The paper's claims, checked against measured results: one function per figure, one table for all.

Each claim is what Kingma & Ba write about a figure (§6), a rule that says how it is measured, the
numbers behind it, and whether it held. The rules are fixed in advance and written next to every
verdict; a claim that does not hold at our scale says "did not hold" and the notebook says why it
may not. Every number comes from the results passed in: nothing in a table is written by hand.

Words used in the rules, always of each optimizer's best setting: the *final cost* is the training
cost averaged over the last epoch; *epochs to reach* the target is the first epoch whose training cost
is at most the target, 5% above the lowest final cost of the optimizers compared (how fast each gets
close to where the best one ends); "faster" or "better" asks for a margin of at least 10%, so that a
difference within the epoch-to-epoch noise does not count.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from adam_edu.paper.training import Results, final_cost

__all__ = ["Claim", "ClaimsTable", "fig1", "fig2", "fig3", "fig4", "CLAIMS", "table", "summary_markdown",
           "cost_against_best", "fig3_comparisons"]


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, measured: ``held`` is None when the results cannot decide it."""

    claim: str
    rule: str
    measured: str
    held: Optional[bool]

    @property
    def verdict(self) -> str:
        return {True: "held", False: "did not hold", None: "not measured"}[self.held]


class ClaimsTable:
    """Claims measured in one or more runs (e.g. quick and full mode), shown as text or Markdown.

    ``columns`` maps a run's name ("quick mode, digits") to its claims, in the same order in every run.
    In a notebook it renders as a Markdown table; its plain-text form (what nbval compares) is a
    fixed-width block per claim.
    """

    def __init__(self, columns: Mapping[str, Sequence[Claim]]):
        self.columns = dict(columns)
        lengths = {len(claims) for claims in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError("every column must measure the same claims")

    @property
    def claims(self) -> list[str]:
        first = next(iter(self.columns.values()))
        return [c.claim for c in first]

    def __repr__(self) -> str:
        width = max(len(name) for name in self.columns) + 1
        blocks = []
        for i, claim in enumerate(self.claims):
            rule = next(iter(self.columns.values()))[i].rule
            lines = textwrap.wrap(f"{i + 1}. {claim}", 100, subsequent_indent="   ")
            lines += textwrap.wrap(f"rule: {rule}", 100, initial_indent="   ", subsequent_indent="         ")
            for name, claims in self.columns.items():
                c = claims[i]
                lines += textwrap.wrap(
                    f"{name + ':':<{width}} {c.verdict.upper()} — {c.measured}", 100,
                    initial_indent="   ", subsequent_indent="   " + " " * (width + 1),
                )
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def markdown(self) -> str:
        """A Markdown table: claim, rule, then measured numbers and verdict per run."""
        header = ["claim (Kingma & Ba)", "rule"] + [f"{name}: measured" for name in self.columns] + [
            f"{name}: verdict" for name in self.columns
        ]
        rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for i, claim in enumerate(self.claims):
            rule = next(iter(self.columns.values()))[i].rule
            cells = [claim, rule] + [claims[i].measured for claims in self.columns.values()] + [
                f"**{claims[i].verdict}**" for claims in self.columns.values()
            ]
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return "\n".join(rows)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _g(value: float, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, "diverged" for +inf."""
    if value is None or not math.isfinite(value):
        return "diverged"
    return f"{value:.{digits}g}"


def _best_curves(results: Results, panel: str, variant: str = "") -> dict[str, dict]:
    return {name: run.curve for (name, v), run in results.best(panel).items() if v == variant}


def _mean_cost(curve: Mapping) -> float:
    return math.inf if curve["diverged_at"] is not None else float(np.mean(curve["cost"]))


def _gap(curve: Mapping, f_star: float, last: int = 5) -> float:
    """f − f* of the full objective, averaged over the last ``last`` epochs (it fluctuates from epoch to epoch)."""
    return float(np.mean(curve["objective"][-last:])) - f_star


def epochs_to_reach(curve: Mapping, target: float) -> float:
    """The first epoch (from 1) whose training cost is at most ``target``; +inf if none is."""
    for epoch, cost in enumerate(curve["cost"], start=1):
        if cost <= target:
            return epoch
    return math.inf


def _epochs(value: float) -> str:
    return "never" if not math.isfinite(value) else f"{value:.0f}"


TARGET = 0.05  # the target cost of "epochs to reach": 5% above the lowest final cost of the optimizers compared
MARGIN = 0.1  # "faster", "better": at least 10% lower; "as fast", "similar": at most 10% (or 1 epoch) later


# ---------------------------------------------------------------------------------------------
# Figure 1


def fig1(results: Results) -> list[Claim]:
    """§6.1: (a) Adam ≈ SGD-Nesterov, both faster than AdaGrad; (b) on sparse features AdaGrad ≫ SGD-Nesterov, Adam ≈ AdaGrad."""
    a = _best_curves(results, "a")
    f_star = results.extras["a"]["f_star"]
    gaps = {name: _gap(curve, f_star) for name, curve in a.items()}
    ratio = max(gaps["Adam"], gaps["Nesterov"]) / min(gaps["Adam"], gaps["Nesterov"])
    b = _best_curves(results, "b")
    target = (1 + TARGET) * min(final_cost(curve) for curve in b.values())
    reach = {name: epochs_to_reach(curve, target) for name, curve in b.items()}
    reached = ", ".join(f"{name} {_epochs(epochs)}" for name, epochs in reach.items())
    return [
        Claim(
            "(a) Adam yields similar convergence as SGD with Nesterov momentum",
            "f − f* (mean of the last 5 epochs) within a factor 1.25 of each other",
            f"f − f*: Adam {_g(gaps['Adam'])}, Nesterov {_g(gaps['Nesterov'])} (factor {ratio:.2f})",
            ratio <= 1.25,
        ),
        Claim(
            "(a) both converge faster than AdaGrad",
            f"f − f* (mean of the last 5 epochs): Adam's and Nesterov's both at least {MARGIN:.0%} below AdaGrad's",
            f"f − f*: AdaGrad {_g(gaps['AdaGrad'])} (Adam × {gaps['Adam'] / gaps['AdaGrad']:.2f}, "
            f"Nesterov × {gaps['Nesterov'] / gaps['AdaGrad']:.2f})",
            max(gaps["Adam"], gaps["Nesterov"]) <= (1 - MARGIN) * gaps["AdaGrad"],
        ),
        Claim(
            "(b) AdaGrad outperforms SGD with Nesterov momentum by a large margin (sparse features, dropout)",
            f"epochs to reach the target cost ({TARGET:.0%} above the lowest final cost): Nesterov's at least "
            "1.5 × AdaGrad's (or never)",
            f"target {_g(target)}; epochs: {reached}",
            reach["Nesterov"] >= 1.5 * reach["AdaGrad"],
        ),
        Claim(
            "(b) Adam converges as fast as AdaGrad",
            f"epochs to reach the same target: Adam's at most {1 + MARGIN:.1f} × AdaGrad's, rounded up",
            f"epochs: Adam {_epochs(reach['Adam'])}, AdaGrad {_epochs(reach['AdaGrad'])}",
            reach["Adam"] <= math.ceil((1 + MARGIN) * reach["AdaGrad"]) if math.isfinite(reach["AdaGrad"]) else False,
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Figure 2


def fig2(results: Results) -> list[Claim]:
    """§6.2: "Adam shows better convergence than other methods" (the MLP with dropout)."""
    curves = _best_curves(results, "a")
    finals = {name: final_cost(curve) for name, curve in curves.items()}
    target = (1 + TARGET) * min(finals.values())
    reach = {name: epochs_to_reach(curve, target) for name, curve in curves.items()}
    others = {name: value for name, value in finals.items() if name != "Adam"}
    runner_up = min(others, key=others.get)
    ranking = ", ".join(f"{name} {_g(value, 4)}" for name, value in sorted(finals.items(), key=lambda item: item[1]))
    return [
        Claim(
            "Adam shows better convergence than the other methods (AdaGrad, RMSProp, SGD-Nesterov, AdaDelta)",
            "Adam's final cost is the lowest of the five",
            f"final cost: {ranking}",
            finals["Adam"] < others[runner_up],
        ),
        Claim(
            "(the curves of Figure 2(a): Adam is ahead of the others throughout)",
            f"epochs to reach the target ({TARGET:.0%} above the lowest final cost): Adam's the fewest (ties count)",
            f"target {_g(target)}; epochs: " + ", ".join(f"{name} {_epochs(e)}" for name, e in reach.items()),
            reach["Adam"] <= min(reach.values()),
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Figure 3


def fig3(results: Results) -> list[Claim]:
    """§6.3: fast start of Adam and AdaGrad; Adam and SGD overtake AdaGrad; v̂ dominated by ε; Adam ≳ SGD."""
    curves = {variant: _best_curves(results, "cnn", variant) for variant in ("no dropout", "dropout")}
    early = {v: {name: float(np.mean([cost for _, cost in c["early"]])) for name, c in cs.items()} for v, cs in curves.items()}
    finals = {v: {name: final_cost(c) for name, c in cs.items()} for v, cs in curves.items()}

    def per_variant(values: dict, names=("Adam", "AdaGrad", "Nesterov")) -> str:
        return "; ".join(f"{v}: " + ", ".join(f"{n} {_g(values[v][n])}" for n in names) for v in values)

    fast_start = all(max(e["Adam"], e["AdaGrad"]) <= (1 - MARGIN) * e["Nesterov"] for e in early.values())
    overtake = all(max(f["Adam"], f["Nesterov"]) <= 0.5 * f["AdaGrad"] for f in finals.values())
    marginal = all(f["Adam"] <= f["Nesterov"] for f in finals.values())
    adam_run = results.best("cnn")[("Adam", "no dropout")]
    stats = adam_run.curve.get("adam")
    return [
        Claim(
            "Adam and AdaGrad make rapid progress lowering the cost in the initial stage of the training",
            f"mean cost over the first 3 epochs: Adam's and AdaGrad's both at least {MARGIN:.0%} below "
            "SGD-Nesterov's, with and without dropout",
            "first 3 epochs, " + per_variant(early),
            fast_start,
        ),
        Claim(
            "Adam and SGD eventually converge considerably faster than AdaGrad",
            "final cost: Adam's and Nesterov's both at most half of AdaGrad's (a factor 2 on the log axis), "
            "with and without dropout",
            "final, " + per_variant(finals),
            overtake,
        ),
        Claim(
            "Adam shows marginal improvement over SGD with momentum",
            "final cost: Adam's at most SGD-Nesterov's, with and without dropout",
            "final, " + per_variant(finals, ("Adam", "Nesterov")),
            marginal,
        ),
        Claim(
            "the second moment estimate v̂_t vanishes to zeros after a few epochs and is dominated by ε",
            "at the end of Adam's best run without dropout, √v̂ < ε = 1e-8 for more than half of the parameters",
            "no statistics stored" if stats is None else
            f"√v̂ < ε for {stats['fraction_below_eps']:.1%} of the parameters; median √v̂ = {stats['median_sqrt_v_hat']:.2g}",
            None if stats is None else stats["fraction_below_eps"] > 0.5,
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Figure 4


def fig4(results: Results) -> list[Claim]:
    """§6.4: without bias correction β2 → 1 is unstable; the best point has correction; red ≤ green everywhere."""
    from adam_edu.paper.fig4 import BETA1S, BETA2S, LOG10_LRS, loss_table, off_scale_threshold

    short, long = loss_table(results, "short"), loss_table(results, "long")

    def blown_up(loss: np.ndarray, c: int) -> list[int]:
        """Per β2, the points of variant c off the scale (worse than barely training) or diverged: ▲ and ✕."""
        off = ~np.isfinite(loss[c]) | (loss[c] > off_scale_threshold(loss))
        return [int(off[:, j].sum()) for j in range(len(BETA2S))]

    blown_short, blown_long = blown_up(short, 1), blown_up(long, 1)
    red_short = blown_up(short, 0)
    settings = short[0].size
    columns = " / ".join(f"{b:g}" for b in BETA2S)

    best_index = np.unravel_index(np.nanargmin(np.where(np.isfinite(long), long, np.inf)), long.shape)
    c, i, j, k = best_index
    best_red = [float(np.min(long[0][:, jj][np.isfinite(long[0][:, jj])])) for jj in range(len(BETA2S))]
    best_green = float(np.min(long[1][np.isfinite(long[1])]))

    def equal_or_better(loss):
        red, green = loss[0], loss[1]
        both_diverged = ~np.isfinite(red) & ~np.isfinite(green)
        ok = both_diverged | (np.isfinite(red) & (~np.isfinite(green) | (red <= 1.01 * green)))
        return int(ok.sum()), ok

    ok_short, ok_short_mask = equal_or_better(short)
    ok_long, ok_long_mask = equal_or_better(long)
    green_better = ~ok_short_mask | ~ok_long_mask
    where = sorted({(f"{10.0 ** LOG10_LRS[kk]:g}", f"{BETA2S[jj]:g}") for ii, jj, kk in zip(*np.nonzero(green_better))})
    where_text = "; ".join(f"α={a}, β2={b}" for a, b in where[:6]) + (" …" if len(where) > 6 else "")
    return [
        Claim(
            "without bias correction, β2 close to 1 leads to instabilities (especially in the first epochs)",
            "after the short run, green points blown up (above the red loss at α = 1e-5, a run that has barely "
            "moved) or diverged: more at β2 = 0.9999 than at β2 = 0.99",
            f"green blown up at β2 = {columns}: {' / '.join(map(str, blown_short))} of {settings // len(BETA2S)} "
            f"(after the long run: {' / '.join(map(str, blown_long))}); red: {' / '.join(map(str, red_short))}",
            blown_short[-1] > blown_short[0],
        ),
        Claim(
            "the best results were achieved with small values of (1−β2) and bias correction",
            "the lowest loss after the long run, over all 60 runs, is red, at β2 = 0.999 or 0.9999",
            f"lowest: {'red' if c == 0 else 'green'}, β1={BETA1S[i]:g}, β2={BETA2S[j]:g}, α=1e{LOG10_LRS[k]}: "
            f"{long[best_index]:#.4g}; best red per β2 {columns}: {' / '.join(f'{v:#.4g}' for v in best_red)}; "
            f"best green: {best_green:#.4g}",
            c == 0 and BETA2S[j] >= 0.999,
        ),
        Claim(
            "Adam (red) performed equal or better than RMSProp with momentum (green), regardless of hyper-parameters",
            "red at most 1% above green (or green diverged, or both) in all 30 settings, after the short and the long run",
            f"red equal or better in {ok_short} of 30 (short) and {ok_long} of 30 (long); green better at "
            f"{where_text or 'none'}",
            ok_short == 30 and ok_long == 30,
        ),
    ]


# ---------------------------------------------------------------------------------------------
# What a step size off the best costs (the grids behind a best-of-grid figure)


def cost_against_best(results: Results, panel: str) -> str:
    """Every setting of a panel's grid against the best of its row (optimizer and variant), as text.

    A final cost below twice the best shows as the percentage it is higher (``+6.0%``), a larger one as the
    factor (``×25.1``): how much a step size off the best costs, which the figure does not show. A run that
    diverged shows "diverged" and one whose final cost depends on the CPU (``Run.unstable``) "unstable": no
    number is printed for either. The best itself is left out.
    """
    chosen = results.best(panel)
    rows: dict[tuple[str, str], list[str]] = {}
    for run in results.runs[panel]:
        key = (run.setting.optimizer, run.setting.variant)
        best_run = chosen[key]
        if run is best_run:
            continue
        cost, best_cost = final_cost(run.curve), final_cost(best_run.curve)
        ratio = cost / best_cost
        shown = "diverged" if not math.isfinite(cost) else "unstable" if run.unstable else _relative(ratio)
        hyper = ", ".join(f"{k}={v:g}" for k, v in run.setting.params.items() if v != best_run.setting.params.get(k))
        rows.setdefault(key, []).append(f"{hyper}: {shown}")
    width = max(len(name + (" + " + variant if variant else "")) for name, variant in rows)
    return "\n".join(f"{name + (' + ' + variant if variant else ''):<{width}}  " + " | ".join(cells)
                     for (name, variant), cells in rows.items())


def _relative(ratio: float) -> str:
    """A ratio of two costs as the percentage above or below 1 (``+6.0%``), from 2 on as the factor (``×25.1``)."""
    return f"{ratio - 1:+.1%}" if ratio < 2 else f"×{ratio:.3g}" if ratio < 1000 else f"×{ratio:,.0f}"


def fig3_comparisons(results: Results) -> str:
    """Figure 3's best runs compared, per variant, as notebook 09's prose compares them (for printing).

    The mean cost over the first 3 epochs of Adam and AdaGrad against SGD-Nesterov's, in percent, and the final
    costs against each other: SGD-Nesterov's and AdaGrad's against Adam's, AdaGrad's against SGD-Nesterov's (a
    percentage below a factor 2, the factor above).
    """
    lines = []
    for variant in ("no dropout", "dropout"):
        curves = _best_curves(results, "cnn", variant)
        early = {name: float(np.mean([cost for _, cost in c["early"]])) for name, c in curves.items()}
        final = {name: final_cost(c) for name, c in curves.items()}

        def against(value: float, reference: float) -> str:
            return f"{abs(value / reference - 1):.1%} {'below' if value < reference else 'above'}"

        lines += [
            f"{variant:<11} first 3 epochs: Adam {against(early['Adam'], early['Nesterov'])} SGD-Nesterov, "
            f"AdaGrad {against(early['AdaGrad'], early['Nesterov'])}",
            f"{'':<11} final cost against Adam's: SGD-Nesterov {_relative(final['Nesterov'] / final['Adam'])}, AdaGrad "
            f"{_relative(final['AdaGrad'] / final['Adam'])}; AdaGrad against SGD-Nesterov's: "
            f"{_relative(final['AdaGrad'] / final['Nesterov'])}",
        ]
    return "\n".join(lines)


CLAIMS: dict[str, Callable[[Results], list[Claim]]] = {"fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4}


def summary_markdown(figures: Sequence[Mapping[str, Results]]) -> str:
    """One Markdown table for several figures (the README's): figure, claim, then verdict and numbers per run.

    ``figures`` holds, per figure, its runs by name, e.g. ``[{"quick mode, digits": q1, "full mode,
    Fashion-MNIST": f1}, …]``; every figure must name its runs alike (they are the columns).
    """
    names = list(figures[0])
    rows = ["| figure | claim (Kingma & Ba) | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for runs in figures:
        if list(runs) != names:
            raise ValueError(f"every figure must have the runs {names}, got {list(runs)}")
        measured = table(runs)
        figure = next(iter(runs.values())).figure
        for i, claim in enumerate(measured.claims):
            cells = [f"**{claims[i].verdict}**: {claims[i].measured}" for claims in measured.columns.values()]
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in [f"{figure[:3].capitalize()}. {figure[3:]}", claim, *cells]) + " |")
    return "\n".join(rows)


def table(runs: Mapping[str, Results]) -> ClaimsTable:
    """The claims of one figure measured in several runs, e.g. ``{"quick mode, digits": quick, "full mode": full}``."""
    return ClaimsTable({name: CLAIMS[results.figure](results) for name, results in runs.items()})
