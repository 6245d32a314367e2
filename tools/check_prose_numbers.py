"""List the numbers in the notebooks' prose that no computation backs.

    python tools/check_prose_numbers.py [notebooks/NAME.ipynb ...]     (default: every notebook)

The rule (README, "Tests"): every number in a notebook's Markdown that states a result is printed by a code cell
of that notebook, so that nbval checks it on every run, or asserted by a test that quotes its sentence. This
tool finds each number in the Markdown and looks for it

- among the numbers of the same notebook's code cells and stored outputs, at the precision the prose gives it
  (prose "0.042" is backed by a printed 0.0421; "5×10⁻⁵" by 4.96e-05; "6%" by 0.06, 6.0 or 6.2%);
- in the quotes of tests/prose_claims.py (``CLAIMS``: notebook, the quoted words, the test that asserts them);
- in ``ALLOWED`` below: numbers that are not results (a setting typed in prose, a citation, a definition),
  each with the reason.

Numbers that are never results are skipped without a listing: inside inline code or a code block (code, not
prose), in link and image targets, section, figure, notebook and equation references (§6.2, Figure 4,
notebook 03, Algorithm 1), and years of citations. It prints every number it could not place, with its words
around it, and exits 1 if there is any (CI runs it), 0 otherwise.
"""

from __future__ import annotations

import ast
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
# a number in prose: 1,797 / 0.042 / 1.22×10⁻⁶ / 10⁻⁴ / 10^{-12} / 1e-3, with an optional % after it
_POWER = r"10(?:[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^\{?[-+−]?\d+\}?)"
NUMBER = re.compile(
    r"(?<![\w.^{])"
    rf"(?:(?P<power>{_POWER})"
    r"|(?P<mantissa>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s*(?:×|\\times|·|\\cdot)\s*(?P<scale>{_POWER}))?(?:[eE](?P<exp>[-+]?\d+))?)"
    r"(?P<percent>\s?%)?"
)
REFERENCE = re.compile(
    r"(§\s*|Figures?\s+|Fig\.\s*|[Nn]otebooks?\s+|Algorithm\s+|[Ss]ection\s+|[Tt]able\s+|[Ee]xercise\s+|"
    r"[Ee]quation\s+|\*\*|Lemma\s+|Theorem\s+|Corollary\s+|issue\s+#|#)$"
)
CITATION_YEAR = re.compile(r"^(19[5-9]\d|20[0-3]\d)[a-z]?$")


def _power(text: str) -> float:
    """10⁻⁴ or 10^{-4} → 1e-4."""
    exponent = text[2:].translate(SUPERSCRIPT).strip("^{}").replace("−", "-")
    return 10.0 ** int(exponent)


def _value(match: re.Match) -> float:
    if match.group("power"):
        return _power(match.group("power"))
    value = float(match.group("mantissa").replace(",", ""))
    if match.group("scale"):
        value *= _power(match.group("scale"))
    if match.group("exp"):
        value *= 10.0 ** int(match.group("exp"))
    return value


def _digits(text: str) -> int:
    """Significant digits as written: '0.042' → 2, '1.22' → 3, '37' → 2, '1,797' → 4, '50,000' → 5 (a whole
    number is taken as exact), '10⁻⁴' → 1."""
    text = text.replace(",", "")
    return max(1, len(text.replace(".", "").lstrip("0")))


def numbers_in(text: str) -> list[tuple[float, int, bool, int, int]]:
    """(value, significant digits, is a percentage, start, end) of every number in ``text``."""
    found = []
    for match in NUMBER.finditer(text):
        digits = _digits(match.group("mantissa") or "1")
        found.append((_value(match), digits, bool(match.group("percent")), match.start(), match.end()))
    return found


def _rounded(value: float, digits: int) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def backed(value: float, digits: int, percent: bool, evidence: list[float]) -> bool:
    """Whether a printed number, rounded to the prose's precision, is the prose's number."""
    targets = [value] if not percent else [value, value / 100]
    for candidate in evidence:
        for target in targets:
            if target == 0:
                if candidate == 0:
                    return True
                continue
            for scale in (1.0, -1.0):
                if _rounded(scale * candidate, digits) == _rounded(target, digits):
                    return True
    return False


def prose(source: str) -> str:
    """Markdown without what is not prose: code blocks, inline code, link and image targets, HTML comments."""
    source = re.sub(r"```.*?```", " ", source, flags=re.S)
    source = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    source = re.sub(r"`[^`]*`", " ", source)
    source = re.sub(r"\]\([^)]*\)", "]", source)
    source = re.sub(r"https?://\S+", " ", source)
    return source


def _outputs_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        for kind in ("text/plain", "text/markdown", "text/html"):
            if kind in output.get("data", {}):
                parts.append("".join(output["data"][kind]))
    return "\n".join(parts)


def claims_registry() -> list[tuple[str, str, str]]:
    """tests/prose_claims.py's CLAIMS, read without importing the tests: (notebook, quote, test)."""
    path = ROOT / "tests" / "prose_claims.py"
    if not path.exists():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CLAIMS" for t in node.targets):
            return [tuple(item) for item in ast.literal_eval(node.value)]
    return []


def _spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where ``phrase`` stands in ``text``, white space folded (a phrase may wrap across lines)."""
    pattern = r"\s+".join(re.escape(word) for word in phrase.split())
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def unbacked(path: Path) -> list[str]:
    """Every number of the notebook's prose that nothing backs, as 'notebook: …context…' lines."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    evidence_text = "\n".join(
        "".join(c["source"]) + "\n" + _outputs_text(c) for c in nb["cells"] if c["cell_type"] == "code"
    )
    evidence = [value for value, *_ in numbers_in(evidence_text)]
    evidence += [value * 100 for value in evidence]  # a printed fraction backs a percentage in prose
    name = path.stem[:2]
    quotes = [quote for notebook, quote, _ in claims_registry() if notebook == name]
    allowed = ALLOWED.get(name, {})
    problems = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = prose("".join(cell["source"]))
        for value, digits, percent, start, end in numbers_in(text):
            before = text[max(0, start - 20):start]
            written = text[start:end].strip()
            if REFERENCE.search(before) or (CITATION_YEAR.match(written) and value >= 1950):
                continue
            context = " ".join(text[max(0, start - 50):end + 30].split())
            if backed(value, digits, percent, evidence):
                continue
            if any(quote in " ".join(text.split()) and written in quote for quote in quotes):
                continue
            if any(a <= start and end <= b for phrase in allowed for a, b in _spans(text, phrase)):
                continue
            problems.append(f"{path.name}: {written!r} in “…{context}…”")
    return problems


# Numbers in the prose that are not results, per notebook (its two-digit number): a phrase of the prose → why
# its numbers need no computation. Only the numbers inside the phrase are allowed, so the same number elsewhere
# in the notebook is still checked.
ALLOWED: dict[str, dict[str, str]] = {
    "01": {
        "$f(4/3) = 64/27 - 96/27 + 54/27 = 22/27$": "f at 4/3 worked out by hand (a definition)",
        "PyTorch 2.13 in float64": "the library version the reference data were made with (tests/data)",
    },
    "02": {
        "(seed 1, 20,000 steps)": "the stream's seed and length (settings)",
        "18,000 steps hold only 18 independent windows": "the run's length over the window 1/(1 − β2) = 1000 (settings)",
        "(steps 1001–20,000,": "the steps averaged over (settings)",
    },
    "06": {
        "20 000 independent coordinates": "the size of the experiment (a setting)",
    },
    "00": {
        "with its defaults α = 0.001, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸": "Algorithm 1's defaults (the paper's settings)",
        "over about 1/(1 − β1) = 10 steps": "the window 1/(1 − β1) of β1 = 0.9 (a definition; 02 prints it)",
        "over about 1000 steps": "the window 1/(1 − β2) of β2 = 0.999 (a definition; 02 prints it)",
        "every digit of 1.3325516 explained": "Keras's number, the subject of notebook 01, which prints it",
        "the snippet and its number 1.3325516": "Keras's number, the subject of notebook 01, which prints it",
        "the 784-1000-1000-10 MLP": "the paper's layer widths (a setting)",
        "over 30 settings of β1, β2 and α (60 runs": "the size of Figure 4's grid, 2 × 3 × 5 (a setting; 10 prints it)",
        "each notebook takes 20–40 minutes": "a reading plan, not a measurement",
        "A 50-minute lecture": "a lecture plan",
        "A 90-minute lecture": "a lecture plan",
        "two 40-minute halves": "a lecture plan",
        # the minutes column of the two lecture plans
        **{f"| {minutes} |": "a lecture plan's minutes"
           for minutes in ("0–5", "5–15", "15–25", "25–33", "33–45", "45–50", "0–10", "10–25", "25–40", "40–50",
                           "50–62", "62–72", "72–85", "85–90")},
        "switch the correction off at β2 = 0.999": "a slider's setting in a lecture plan",
    },
    "07": {
        "the same, λ = 10⁻⁴": "the L2 penalty chosen (a setting)",
        "| minibatch | 128 | 128 | 128 |": "the minibatch (a setting)",
        "| 45 (a), 160 (b) |": "the paper's epochs (a citation)",
        "(here W = 0)": "the starting point (a setting)",
        r"Adam with $\beta_1 = 0$": "§5 of the paper: the hyper-parameters under which Adam is AdaGrad (a definition)",
    },
    "08": {
        "| minibatch | 128 | 128 | 128 |": "the minibatch (a setting)",
        "the stored costs have 6 digits": "how costs are stored (training.py rounds them; a definition)",
    },
    "09": {
        "CIFAR-10, 50,000 × 3×32×32": "the paper's data (a citation)",
        "45 epochs of 60,000 images": "the size of Fashion-MNIST's training set (the data)",
        "all 60,000 images": "the size of Fashion-MNIST's training set (the data)",
        r"$\ln 10 \approx 2.30$": "the cost at chance, by definition",
        "our 28 → 14 → 7 → 4": "the sizes the exercise asks the reader to check (check_pooled_size asserts them)",
    },
    "10": {
        "digits, 1,797 × 64": "the size of the data set (the data)",
        "Fashion-MNIST, 60,000 × 784": "the size of the data set (the data)",
        "50-dim Gaussian latent": "the paper's VAE (a citation)",
        "VAE 64-50-5": "the quick VAE's sizes (a setting)",
        "VAE 784-500-50": "the full VAE's sizes, the paper's (a setting)",
        "2 and 20 epochs": "the quick horizons (a setting, fig4.SIZES)",
        "ε = 10⁻⁸ throughout": "Adam's ε (a setting)",
    },
}


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    problems = [line for path in paths for line in unbacked(path)]
    for line in problems:
        print(line)
    print(f"{len(problems)} number(s) in the prose of {len(paths)} notebook(s) that no cell prints, no test asserts "
          "and no allow-list entry explains")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
