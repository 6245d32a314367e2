"""The code of each lesson, one package per notebook: its experiments, its slider, its exercise checks.

=====================  ========================================  ==========================================
package                notebook                                  contents
=====================  ========================================  ==========================================
``cubic``              01 the cubic example                      ``exercises``
``moments``            02 moving averages and moment estimates   the EMAs; ``slider``, ``exercises``
``bias_correction``    03 bias correction                        its studies; ``slider``, ``exercises``
``update_rule``        04 the update rule                        step bounds, ε; ``slider``, ``exercises``
``zoo``                05 the optimizer zoo                      grid search, figures; ``slider``, ``exercises``
``failures``           06 when Adam fails                        its experiments; ``exercises``
``in_practice``        11 Adam in practice                       training loop, runs; ``slider``, ``exercises``
``after_adam``         12 after Adam                             races, memory table; ``exercises``
=====================  ========================================  ==========================================

A package's own module (``from adam_edu.lessons import zoo``) holds the lesson's computations and
figures; ``<package>.slider`` its slider experiment, ``<package>.exercises`` its exercise checks. The
shared machinery sits below, in ``adam_edu``: optimizers, functions (objectives and the runner), nn,
data, plots, tables, widgets.base (the slider base) and exercises (``Verdict``, ``show_solution``).
A lesson may use an earlier lesson's code (06 runs 05's grid search); nothing below imports a lesson.
Notebooks 07–10, the paper's Figures 1–4, have their code in ``adam_edu.paper``.
"""
