"""Sentences of the notebooks whose numbers a test asserts rather than a cell prints.

Each entry is (notebook number, the quoted words as they stand in its Markdown, the test that asserts them).
tools/check_prose_numbers.py reads CLAIMS (without importing this file) and counts a number of the prose as
backed when it stands inside a quote of its notebook; tests/test_prose_claims.py checks that every quote still
stands in its notebook and that its test exists. Prefer a printed cell: a quote is for a number whose
computation does not belong in the lesson (a variant of an experiment, a long run).
"""

CLAIMS = [
    ("07", "AdaGrad's $f - f^*$ grows to 0.042, 8 times Adam's",
     "tests/test_paper_figures.py::test_fig1_adagrad_decayed_twice_ends_8_times_further_from_f_star"),
]
