# %% [markdown]
# # 07 · The paper's Figure 1: logistic regression (§6.1)
#
# Kingma & Ba test Adam first where their theory (§4) applies: a *convex* problem, L2-regularised
# logistic regression, with the step size decayed as $\alpha_t = \alpha/\sqrt t$ as the convergence proof asks. Figure 1 has two
# panels: images (MNIST), where Adam is compared with AdaGrad and SGD with Nesterov momentum, and a sparse
# bag-of-words (IMDB reviews) with dropout noise on the features, where RMSProp joins them. This notebook runs
# the experiment in *quick mode*, live, shows the stored *full-mode* run beside it, and checks the paper's
# claims against both.
#
# **You will learn**
# - how the paper compares optimizers (the same start, a grid search per optimizer, the best setting drawn), and
#   how to do that so the reader can check it: a stated grid and a stated rule for "best";
# - why α decays as $1/\sqrt t$ here, and why AdaGrad needs no such decay;
# - what the distance to the optimum $f - f^*$ shows that the training cost hides;
# - which of the paper's claims about Figure 1 hold at our scale, and which do not.

# %%
from adam_edu.plots import setup_notebook

setup_notebook()

import matplotlib.pyplot as plt
from IPython.display import Image, display

from adam_edu import paper, plots
from adam_edu.paper import claims

# %% [markdown]
# ## The paper's setup and ours
#
# | | the paper | quick mode (this notebook, live) | full mode (`python -m adam_edu.paper fig1`) |
# |---|---|---|---|
# | (a) data | MNIST, 60,000 × 784 pixels | scikit-learn's digits, 1,797 × 64, standardised | Fashion-MNIST, 60,000 × 784, standardised |
# | (b) data | IMDB bag-of-words, 10,000 words | synthetic bag-of-words, 2,000 × 5,000 | synthetic bag-of-words, 25,000 × 10,000 |
# | model | softmax regression, L2 penalty (λ not given) | the same, λ = 10⁻⁴ | the same, λ = 10⁻⁴ |
# | dropout in (b) | 50% on the input features | the same | the same |
# | minibatch | 128 | 128 | 128 |
# | step size | α/√t | α/√t for Adam, Nesterov, RMSProp; AdaGrad constant α | the same |
# | epochs | 45 (a), 160 (b) | 45 (a), 40 (b) | 45 (a), 100 (b) |
# | grid | "a dense grid" (not given) | 5 values of α per optimizer in half-decades; Nesterov also μ ∈ {0.9, 0.99} | the same (Nesterov in (b): 6 values of α) |
#
# IMDB cannot be downloaded here, so both modes use `adam_edu.data.synthetic_bag_of_words`: binary
# word-presence features (10,000 in full mode, as the paper's vocabulary; 5,000 in quick mode) with Zipf-distributed frequencies (most words are rare) and labels from a sparse linear
# model. It is *not* real reviews, and every figure says so.
#
# **The protocol**, the same for every figure of the paper:
# - every optimizer starts from the same point (here W = 0) and sees the same minibatches and the same dropout
#   masks, so the only difference between two curves is the optimizer;
# - each optimizer's hyper-parameters are searched on its grid, and the best setting is drawn. *Best* means the
#   lowest training cost averaged over the last epoch; the grid and the rule are printed on every figure, and a
#   best value at the edge of its grid is flagged (the grid may have been too narrow);
# - the training cost of an epoch is the mean of the minibatch losses the optimizer saw in that epoch (with
#   dropout noise, in (b)), drawn against the number of passes over the data.
#
# **Why α/√t, and not for AdaGrad.** The regret bound of §4 needs $\alpha_t = \alpha/\sqrt t$ (t counts steps, not epochs). AdaGrad
# divides by $\sqrt{\sum_{i\le t} g_i^2}$, which already grows like $\sqrt t$: §5 of the paper shows that Adam with $\beta_1 = 0$, $\beta_2 \to 1$ and
# $\alpha/\sqrt t$ *is* AdaGrad with a constant α. Decaying AdaGrad's α as well would decay it twice, so here it keeps a
# constant α (the paper does not say which it did).

# %% [markdown]
# ## The quick run, live
#
# 5 × 3 + 5 runs on the digits and 5 × 4 + 5 on the small bag-of-words: about 10 seconds; then each optimizer's best
# setting again on two more seeds, to measure the seed-to-seed spread (see *Which claims held*), about as long again.

# %%
results = paper.run("fig1", seeds=3)
print(results.summary())

# %% [markdown]
# The optimum of panel (a), $f^*$, comes from L-BFGS run to machine precision on the full training objective
# (`fig1.logistic_regression_optimum`), so $f - f^*$ can be drawn on a log scale. The figure has the paper's two
# panels and, between them, $f - f^*$ for (a):

# %%
fig = paper.draw(results)
plots.save(fig, "07_fig1_quick")
plt.show()

# %% [markdown]
# On the digits the three optimizers of (a) pick the same step size, α = 0.3 (Nesterov with μ = 0.99). Adam and AdaGrad
# descend together, spikes included: a large α wins the grid, because the rule looks only at the last epoch.
# Nesterov is smoother but slower: after 45 epochs its $f - f^*$ is 1.6 times Adam's. In (b) AdaGrad is ahead from the
# first epochs; Adam and Nesterov catch up towards the end, and RMSProp, whose larger step sizes oscillate, stays
# behind.

# %% [markdown]
# ## The full-mode run, stored
#
# **Full mode, Fashion-MNIST, 45 epochs (a); synthetic bag-of-words 25,000 × 10,000, 100 epochs (b); run with
# `python -m adam_edu.paper fig1`** (8 minutes of training on a 2-core machine, 1.5 of them for the L-BFGS solve of f*; printed below). Its curves are stored in
# `figures/paper/fig1_fashion.json`, and the figure below was drawn from them:

# %%
full = paper.load("fig1")
print(f"{sum(len(runs) for runs in full.runs.values())} runs, {full.seconds / 60:.0f} minutes of training, "
      f"{full.extras['a']['f_star_seconds'] / 60:.1f} of them for f*")
print(full.summary())
display(Image(filename=str(paper.stored_figure("fig1"))))

# %% [markdown]
# On Fashion-MNIST the three curves of (a) lie on top of each other: after 45 epochs all three are at a training
# cost of 0.36 and $f - f^* \approx 0.02$, where the decaying step size meets the minibatch noise (the $f - f^*$ curves
# flatten and fluctuate). On the larger bag-of-words all four optimizers reach the same cost, about 0.485; Adam and
# AdaGrad get within 5% of it in 15 to 19 epochs, depending on the seed, Nesterov in 15 to 21, RMSProp in 27 to 29
# (the claims table below prints these ranges).

# %% [markdown]
# ## Which claims held
#
# The table is computed from the two runs above and their re-runs on other seeds, with rules fixed in advance
# (`adam_edu/paper/claims.py`):
# "faster" asks for a margin of at least 10%, so that a difference within the epoch-to-epoch noise does not
# count; "epochs to reach" is the first epoch whose training cost is within 5% of the lowest final cost.

# %% [markdown]
# **Seeds, spread and the three verdicts.** Every run above used one seed (seed 0: one random start, one
# minibatch order, one set of dropout masks in (b)), and another seed moves every curve. So each optimizer's best setting,
# as chosen on the grid, was trained again on seeds 1 and 2: live in quick mode (`paper.run("fig1", seeds=3)`), and
# for full mode stored beside the grid (`figures/paper/fig1_fashion_seeds.json`, made by
# `python -m adam_edu.paper fig1 --seeds 3`). The summaries print two numbers per optimizer: the *final cost*, the
# training cost of the last epoch, and the *mean cost*, the training cost averaged over all epochs (the area under the
# learning curve divided by its length: low when the cost fell early). With the re-runs, each is the mean over the
# three seeds followed, in brackets, by the lowest and the highest seed's value: that range is the seed-to-seed spread,
# and the table gives the numbers it judges in the same form. Each claim is judged on each seed separately, that seed's
# runs against each other: it **held** if it holds on every seed, it **did not hold** if it holds on none, and it is
# **within noise** if the seeds disagree: then the difference the claim is about is smaller than what changing the seed
# does.

# %%
claims.table({"quick mode, digits": results, "full mode, Fashion-MNIST": full})

# %% [markdown]
# - **(a) Adam ≈ SGD with Nesterov momentum held on Fashion-MNIST**, on every seed (their $f - f^*$ within a factor
#   1.02), **and did not hold on the digits**, where Nesterov was the slow one on every seed.
# - **(a) "Both faster than AdaGrad" did not hold in either run, on any seed**: AdaGrad was as close to $f^*$ as Adam on
#   the digits, and on Fashion-MNIST Adam's and Nesterov's $f - f^*$ were 0.934 to 0.971 times AdaGrad's, short of the
#   10% the rule asks. One likely reason is a choice the paper leaves open: we do not decay
#   AdaGrad's α, because its $\sum g^2$ already decays its steps like $1/\sqrt t$. Had the paper applied α/√t to AdaGrad
#   too, as its sentence can be read, its AdaGrad was decayed twice, and slower for that reason. We tried it on the
#   digits (set `fig1.DECAYED = fig1.DECAYED | {"AdaGrad"}` and run again): AdaGrad's $f - f^*$ grows to 0.042, 8 times
#   Adam's, and the claim holds, with AdaGrad's best α at the top of its grid. The pixel scaling may matter too: ours are
#   standardised, and the paper does not say how it scaled them.
# - **(b) "AdaGrad beats SGD-Nesterov by a large margin" held on the small quick set**, on every seed (Nesterov never
#   came within 5% of the best in 40 epochs), **but not on the full set**, on any seed: there Nesterov reached the
#   target in 15 to 21 epochs, AdaGrad in 15 to 19. Our bag-of-words
#   is synthetic: its informative words are a random 10% of the vocabulary, frequent and rare alike, and with 25,000
#   documents even rare words are seen often. The advantage the paper reports on IMDB needs features that are rare
#   *and* informative, like sentiment words, which the generator does not specially make.
# - **(b) "Adam converges as fast as AdaGrad" held on the full set**, on every seed, **and is within noise on the quick
#   set**: there it held on one seed of three (Adam took 27 to 38 epochs, AdaGrad 24 to 27). With 2,000 documents and
#   dropout the curves are noisy, and "epochs to reach" is sensitive to that noise; their final costs overlap from seed
#   to seed (Adam 0.202 to 0.23, AdaGrad 0.201 to 0.213, printed above).
#
# So at our scale the part of Figure 1 that held is Adam's: it was as good as the best of the other methods on the
# images (with SGD-Nesterov) and on the large sparse set (with AdaGrad). The orderings *between* the other methods,
# which the paper uses to show what each baseline lacks, did not reproduce.

# %% [markdown]
# ## Summary
#
# - The protocol: the same start, minibatches and dropout masks for every optimizer; a stated grid for each; the best
#   setting by a stated rule (lowest training cost over the last epoch), with a best value at the edge of its grid
#   flagged.
# - On logistic regression with each optimizer tuned, the methods end up close. Adam matched SGD-Nesterov on
#   Fashion-MNIST and AdaGrad on the large sparse set, on every seed, as the paper says; the paper's gaps between AdaGrad and the
#   others did not show at our scale and with our data.
# - $f - f^*$, with $f^*$ from a tight L-BFGS solve, shows what the training cost hides: after 45 epochs every method sits
#   on the same floor, set by the minibatch noise and the $1/\sqrt t$ schedule.
#
# ## Exercises
#
# **1.** The schedule of this figure: return the step sizes $\alpha_t = \alpha/\sqrt t$ of steps $t = 1, \dots,$ `steps` as an array.

# %%
from adam_edu.paper import exercises
from adam_edu.exercises import show_solution


def decayed_step_sizes(alpha, steps):
    return None  # your code here


exercises.check_decayed_step_sizes(decayed_step_sizes)


# %% [markdown]
# **2.** The claims table measures speed by *epochs to reach* a target: the first epoch (counted from 1) whose
# training cost is at most `target`, or `None` if the curve never gets there. Write it; then try it on
# `results.best("b")` to see how many epochs each optimizer needed to come within 5% of the best.

# %%
def epochs_to_reach(costs, target):
    return None  # your code here


exercises.check_epochs_to_reach(epochs_to_reach)

# %% [markdown]
# Model answers: `show_solution(exercises.solution_decayed_step_sizes)`, `show_solution(exercises.solution_epochs_to_reach)`.
