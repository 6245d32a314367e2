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
    # 06's table of popular claims sums up what 05 measured; 05's tests assert the numbers
    ("06", "α/(√v̂+ε) differs 7.6× between x and y of the quadratic",
     "tests/lessons/test_zoo.py::test_claim_a_per_parameter_step_sizes"),
    ("06", "AdaGrad and RMSProp lose their advantage (10 → 154, 42 → 404 steps)",
     "tests/lessons/test_zoo.py::test_claim_a_per_parameter_step_sizes"),
    ("06", "AdaGrad and RMSProp lose their advantage (10 → 154, 42 → 404 steps)",
     "tests/lessons/test_zoo.py::test_claim_a_on_the_aligned_quadratic"),
    ("06", "escapes the saddle in 44 steps", "tests/lessons/test_zoo.py::test_claim_c_saddle"),
    ("06", "fastest of 12 on Rosenbrock and Beale, 7th on the quadratic, 8th on the saddle",
     "tests/lessons/test_zoo.py::test_claim_e_ranks"),
]
