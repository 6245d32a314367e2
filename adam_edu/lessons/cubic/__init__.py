"""Notebook 01: Adam on a cubic, step by step.

Its computations are the shared ``functions.run`` and ``plots``; this package holds its exercise checks
(``exercises``)."""
