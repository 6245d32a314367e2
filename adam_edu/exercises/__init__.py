"""The machinery of the notebooks' exercise checks; each lesson's checks live in its lesson.

An exercise in a notebook is a function for the reader to write, followed by a call to its check::

    def bias_corrected_average(gradients, beta):
        ...                                            # your code here
    check_bias_corrected_average(bias_corrected_average)

The check calls the reader's function on test inputs and compares with the answer computed here:
it prints "not attempted yet" with a hint while the function returns None (the state the notebooks
are stored in), prints "correct" when it matches, and otherwise raises ``NotQuiteRight`` with a
message that names the likely mistake ("your v̂ is off by a factor 1−β2^t: did you correct it?").
``show_solution(name)`` prints a model solution, kept out of sight until asked for. The checks of
notebooks 01–06 are ``adam_edu.lessons.<lesson>.exercises``; those of 07–10 are ``adam_edu.paper.exercises``.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["NotQuiteRight", "Verdict", "verdict", "answers_on_cases", "show_solution"]


class NotQuiteRight(AssertionError):
    """The answer is wrong; the message says how, where the mistake is a known one."""


class Verdict:
    """What a check found: true when correct. Shows nothing in a notebook (the check printed already)."""

    def __init__(self, correct: bool, message: str):
        self.correct = correct
        self.message = message

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"Verdict(correct={self.correct}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        pass


def verdict(
    exercise: str,
    answer: Any,
    expected: np.ndarray,
    mistakes: Iterable[tuple[np.ndarray, str]] = (),
    *,
    hint: str = "",
    rtol: float = 1e-7,
    atol: float = 1e-10,
) -> Verdict:
    """Compare an answer with the expected value; name the mistake if it matches a known wrong one.

    ``mistakes`` pairs the value a known mistake would give with the message to show for it.
    Returns a true Verdict when correct, a false one when not attempted (the answer is None);
    raises NotQuiteRight otherwise.
    """
    if answer is None:
        message = f"{exercise}: not attempted yet. {hint}".rstrip()
        print(message)
        return Verdict(False, message)
    answer = np.asarray(answer, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if answer.shape != expected.shape:
        raise NotQuiteRight(f"{exercise}: expected an array of shape {expected.shape}, got shape {answer.shape}")
    if np.allclose(answer, expected, rtol=rtol, atol=atol):
        print(f"{exercise}: correct.")
        return Verdict(True, f"{exercise}: correct.")
    for wrong_value, message in mistakes:
        if np.allclose(answer, np.asarray(wrong_value, dtype=float), rtol=rtol, atol=atol):
            raise NotQuiteRight(f"{exercise}: {message}")
    worst = int(np.argmax(np.abs(answer - expected).ravel()))
    raise NotQuiteRight(
        f"{exercise}: not the expected values (largest difference at index {worst}: "
        f"got {answer.ravel()[worst]:.6g}, expected {expected.ravel()[worst]:.6g}). {hint}".rstrip()
    )


def answers_on_cases(exercise: str, function: Callable, solution: Callable, cases: list[tuple], hint: str):
    """Run the reader's ``function`` and the model ``solution`` on each case (a tuple of arguments), for checks
    whose answers are not arrays (an epoch, a flag).

    Returns ``(verdict, answers, expected)``. ``verdict`` is a false Verdict when not attempted (the first answer
    is None; the hint is printed), a true one when every answer is the expected one ("correct" printed), and
    None when some differ: the check then names the mistake from ``answers`` and ``expected``.
    """
    first = function(*cases[0])
    if first is None:
        print(f"{exercise}: not attempted yet. {hint}")
        return Verdict(False, "not attempted"), None, None
    answers = [first] + [function(*case) for case in cases[1:]]
    expected = [solution(*case) for case in cases]
    if answers == expected:
        print(f"{exercise}: correct.")
        return Verdict(True, "correct"), answers, expected
    return None, answers, expected


def show_solution(solution: Callable) -> None:
    """Print the source of a model solution."""
    print(inspect.getsource(solution))
