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

Three verdicts, and the seed-to-seed noise. The best setting of each optimizer (chosen on the grid,
seed 0) is trained again on other seeds (``training.seed_problems``: another initialisation, minibatch
order and noise). A claim is judged on each seed, that seed's runs against each other (``SEED_RULE``):
it *held* if it holds on every seed, it *did not hold* if it holds on none, and it is *within noise*
if the seeds disagree: then the difference it is about is smaller than what changing the seed does.
Each table gives the numbers as the mean over the seeds and the range (min–max) they were judged
against. Figure 4's blow-up counts range over the whole grid, which runs on one seed only: they stay
counts on that seed, as their rules say; its "best results" claim is judged on the seeds.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from adam_edu.paper.training import Results, final_cost, spread

__all__ = ["Claim", "ClaimsTable", "fig1", "fig2", "fig3", "fig4", "CLAIMS", "table", "summary_markdown",
           "cost_against_best", "fig3_comparisons"]


SEED_RULE = "judged per seed: held on every seed → held, on none → did not hold, on some → within noise"


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, measured: ``held`` True or False, or None when the results cannot decide it,
    with ``within_noise`` when that is because the seeds disagree (``on_seeds``)."""

    claim: str
    rule: str
    measured: str
    held: Optional[bool]
    within_noise: bool = False

    @classmethod
    def on_seeds(cls, claim: str, rule: str, measured: str, outcomes: Sequence[bool]) -> "Claim":
        """A claim judged on each seed (``SEED_RULE``): ``outcomes`` says whether it held on each; the rule and
        the measured text say so ("held on 2 of 3 seeds")."""
        outcomes = [bool(o) for o in outcomes]
        if not outcomes:
            return cls(claim, f"{rule}; {SEED_RULE}", measured, None)
        held = all(outcomes) if all(outcomes) or not any(outcomes) else None
        if len(outcomes) > 1:
            measured += f"; held on {sum(outcomes)} of {len(outcomes)} seeds"
        return cls(claim, f"{rule}; {SEED_RULE}", measured, held, within_noise=held is None)

    @property
    def verdict(self) -> str:
        if self.within_noise:
            return "within noise"
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


def _seed_curves(results: Results, panel: str) -> list[dict[tuple[str, str], dict]]:
    """Per seed, each (optimizer, variant)'s curve of its best setting: the grid's seed first, then every seed
    on which all the best settings were re-run and none is unstable (``Run.unstable``: its numbers would
    depend on the CPU, and so would its verdict)."""
    on_seeds = list(results.best_on_seeds(panel).values())
    return [{key: run.curve for key, run in chosen.items()} for chosen in on_seeds[:1]] + [
        {key: run.curve for key, run in chosen.items()}
        for chosen in on_seeds[1:]
        if set(chosen) == set(on_seeds[0]) and not any(run.unstable for run in chosen.values())
    ]


def _of(seeds: Sequence[Mapping[tuple[str, str], dict]], variant: str = "") -> list[dict[str, dict]]:
    """The curves of one variant, per seed, by optimizer."""
    return [{name: curve for (name, v), curve in chosen.items() if v == variant} for chosen in seeds]


def _epochs_spread(values: Sequence[float]) -> str:
    """Epoch counts measured on several seeds: one value, or the range (min–max), "never" for +inf."""
    low, high = min(values), max(values)
    return _epochs(low) if low == high else f"{_epochs(low)}–{_epochs(high)}"


def _over(seeds: Sequence) -> str:
    """How many seeds the numbers that follow summarise, and how."""
    return "1 seed: " if len(seeds) == 1 else f"{len(seeds)} seeds, mean (min–max): "


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
    f_star = results.extras["a"]["f_star"]  # the data are the same on every seed: one optimum
    a = _of(_seed_curves(results, "a"))
    gaps = [{name: _gap(curve, f_star) for name, curve in curves.items()} for curves in a]
    ratios = [max(g["Adam"], g["Nesterov"]) / min(g["Adam"], g["Nesterov"]) for g in gaps]
    b = _of(_seed_curves(results, "b"))
    targets = [(1 + TARGET) * min(final_cost(curve) for curve in curves.values()) for curves in b]
    reach = [{name: epochs_to_reach(curve, target) for name, curve in curves.items()} for curves, target in zip(b, targets)]
    names_b = list(reach[0])

    def gap(name: str) -> str:
        return spread([g[name] for g in gaps])

    return [
        Claim.on_seeds(
            "(a) Adam yields similar convergence as SGD with Nesterov momentum",
            "f − f* (mean of the last 5 epochs) within a factor 1.25 of each other",
            f"{_over(gaps)}f − f*: Adam {gap('Adam')}, Nesterov {gap('Nesterov')} (factor {spread(ratios)})",
            [ratio <= 1.25 for ratio in ratios],
        ),
        Claim.on_seeds(
            "(a) both converge faster than AdaGrad",
            f"f − f* (mean of the last 5 epochs): Adam's and Nesterov's both at least {MARGIN:.0%} below AdaGrad's",
            f"{_over(gaps)}f − f*: AdaGrad {gap('AdaGrad')} (Adam × {spread([g['Adam'] / g['AdaGrad'] for g in gaps])}, "
            f"Nesterov × {spread([g['Nesterov'] / g['AdaGrad'] for g in gaps])})",
            [max(g["Adam"], g["Nesterov"]) <= (1 - MARGIN) * g["AdaGrad"] for g in gaps],
        ),
        Claim.on_seeds(
            "(b) AdaGrad outperforms SGD with Nesterov momentum by a large margin (sparse features, dropout)",
            f"epochs to reach the target cost ({TARGET:.0%} above the lowest final cost): Nesterov's at least "
            "1.5 × AdaGrad's (or never)",
            f"{_over(targets)}target {spread(targets)}; epochs: "
            + ", ".join(f"{name} {_epochs_spread([r[name] for r in reach])}" for name in names_b),
            [r["Nesterov"] >= 1.5 * r["AdaGrad"] for r in reach],
        ),
        Claim.on_seeds(
            "(b) Adam converges as fast as AdaGrad",
            f"epochs to reach the same target: Adam's at most {1 + MARGIN:.1f} × AdaGrad's, rounded up",
            f"{_over(reach)}epochs: Adam {_epochs_spread([r['Adam'] for r in reach])}, "
            f"AdaGrad {_epochs_spread([r['AdaGrad'] for r in reach])}",
            [r["Adam"] <= math.ceil((1 + MARGIN) * r["AdaGrad"]) if math.isfinite(r["AdaGrad"]) else False for r in reach],
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Figure 2


def fig2(results: Results) -> list[Claim]:
    """§6.2: "Adam shows better convergence than other methods" (the MLP with dropout)."""
    seeds = _of(_seed_curves(results, "a"))
    finals = [{name: final_cost(curve) for name, curve in curves.items()} for curves in seeds]
    targets = [(1 + TARGET) * min(f.values()) for f in finals]
    reach = [{name: epochs_to_reach(curve, target) for name, curve in curves.items()} for curves, target in zip(seeds, targets)]
    mean = {name: float(np.mean([f[name] for f in finals])) for name in finals[0]}
    ranking = ", ".join(f"{name} {spread([f[name] for f in finals], 4)}" for name in sorted(mean, key=mean.get))

    def adam_lowest(f: dict) -> bool:
        return f["Adam"] < min(value for name, value in f.items() if name != "Adam")

    return [
        Claim.on_seeds(
            "Adam shows better convergence than the other methods (AdaGrad, RMSProp, SGD-Nesterov, AdaDelta)",
            "Adam's final cost is the lowest of the five",
            f"{_over(finals)}final cost: {ranking}",
            [adam_lowest(f) for f in finals],
        ),
        Claim.on_seeds(
            "(the curves of Figure 2(a): Adam is ahead of the others throughout)",
            f"epochs to reach the target ({TARGET:.0%} above the lowest final cost): Adam's the fewest (ties count)",
            f"{_over(targets)}target {spread(targets)}; epochs: "
            + ", ".join(f"{name} {_epochs_spread([r[name] for r in reach])}" for name in reach[0]),
            [r["Adam"] <= min(r.values()) for r in reach],
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Figure 3


def fig3(results: Results) -> list[Claim]:
    """§6.3: fast start of Adam and AdaGrad; Adam and SGD overtake AdaGrad; v̂ dominated by ε; Adam ≳ SGD."""
    seeds = _seed_curves(results, "cnn")
    variants = ("no dropout", "dropout")
    curves = [{v: _of([seed], v)[0] for v in variants} for seed in seeds]
    early = [{v: {name: float(np.mean([cost for _, cost in c["early"]])) for name, c in cs.items()} for v, cs in seed.items()}
             for seed in curves]
    finals = [{v: {name: final_cost(c) for name, c in cs.items()} for v, cs in seed.items()} for seed in curves]

    def per_variant(values: list[dict], names=("Adam", "AdaGrad", "Nesterov")) -> str:
        return "; ".join(f"{v}: " + ", ".join(f"{n} {spread([value[v][n] for value in values])}" for n in names)
                         for v in variants)

    stats = [seed[("Adam", "no dropout")].get("adam") for seed in seeds]
    measured_stats = [s for s in stats if s is not None]
    return [
        Claim.on_seeds(
            "Adam and AdaGrad make rapid progress lowering the cost in the initial stage of the training",
            f"mean cost over the first 3 epochs: Adam's and AdaGrad's both at least {MARGIN:.0%} below "
            "SGD-Nesterov's, with and without dropout",
            f"{_over(early)}first 3 epochs, " + per_variant(early),
            [all(max(e["Adam"], e["AdaGrad"]) <= (1 - MARGIN) * e["Nesterov"] for e in seed.values()) for seed in early],
        ),
        Claim.on_seeds(
            "Adam and SGD eventually converge considerably faster than AdaGrad",
            "final cost: Adam's and Nesterov's both at most half of AdaGrad's (a factor 2 on the log axis), "
            "with and without dropout",
            f"{_over(finals)}final, " + per_variant(finals),
            [all(max(f["Adam"], f["Nesterov"]) <= 0.5 * f["AdaGrad"] for f in seed.values()) for seed in finals],
        ),
        Claim.on_seeds(
            "Adam shows marginal improvement over SGD with momentum",
            "final cost: Adam's at most SGD-Nesterov's, with and without dropout",
            f"{_over(finals)}final, " + per_variant(finals, ("Adam", "Nesterov")),
            [all(f["Adam"] <= f["Nesterov"] for f in seed.values()) for seed in finals],
        ),
        Claim.on_seeds(
            "the second moment estimate v̂_t vanishes to zeros after a few epochs and is dominated by ε",
            "at the end of Adam's best run without dropout, √v̂ < ε = 1e-8 for more than half of the parameters",
            "no statistics stored" if not measured_stats else
            f"{_over(measured_stats)}√v̂ < ε for {_percent_spread([s['fraction_below_eps'] for s in measured_stats])} "
            f"of the parameters; median √v̂ = {spread([s['median_sqrt_v_hat'] for s in measured_stats], 2)}",
            [s["fraction_below_eps"] > 0.5 for s in measured_stats],
        ),
    ]


def _percent_spread(values: Sequence[float]) -> str:
    """Fractions measured on several seeds, as percentages: one, or the mean and the range (min–max)."""
    if len(values) == 1:
        return f"{values[0]:.1%}"
    return f"{float(np.mean(values)):.1%} ({min(values):.1%}–{max(values):.1%})"


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
    seeds = _seed_curves(results, "vae")
    red_setting = results.best("vae")[("Adam", "")].setting
    red_vs_green = [(final_cost(seed[("Adam", "")]), final_cost(seed[("Adam (no bias correction)", "")])) for seed in seeds]
    return [
        Claim(
            "without bias correction, β2 close to 1 leads to instabilities (especially in the first epochs)",
            "after the short run, green points blown up (above the red loss at α = 1e-5, a run that has barely "
            "moved) or diverged: more at β2 = 0.9999 than at β2 = 0.99 (a count over the whole grid, which runs on one "
            "seed: not judged against seed noise)",
            f"green blown up at β2 = {columns}: {' / '.join(map(str, blown_short))} of {settings // len(BETA2S)} "
            f"(after the long run: {' / '.join(map(str, blown_long))}); red: {' / '.join(map(str, red_short))}",
            blown_short[-1] > blown_short[0],
        ),
        Claim.on_seeds(
            "the best results were achieved with small values of (1−β2) and bias correction",
            "the lowest loss after the long run, over all 60 runs, is red, at β2 = 0.999 or 0.9999; on the other seeds "
            "the best red and the best green setting re-run, red's loss the lower",
            f"lowest: {'red' if c == 0 else 'green'}, β1={BETA1S[i]:g}, β2={BETA2S[j]:g}, α=1e{LOG10_LRS[k]}: "
            f"{long[best_index]:#.4g}; best red per β2 {columns}: {' / '.join(f'{v:#.4g}' for v in best_red)}; "
            f"best green: {best_green:#.4g}; best red and green settings, {_over(seeds)}"
            f"red {spread([r for r, _ in red_vs_green], 4, '#g')}, green {spread([g for _, g in red_vs_green], 4, '#g')}",
            [c == 0 and BETA2S[j] >= 0.999]
            + [red < green and red_setting.params["beta2"] >= 0.999 for red, green in red_vs_green[1:]],
        ),
        Claim(
            "Adam (red) performed equal or better than RMSProp with momentum (green), regardless of hyper-parameters",
            "red at most 1% above green (or green diverged, or both) in all 30 settings, after the short and the long run "
            "(a count over the whole grid, on its one seed)",
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
