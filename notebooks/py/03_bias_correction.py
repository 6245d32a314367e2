# %% [markdown]
# # 03 · Bias correction: why Adam divides by $1-\beta^t$
#
# Adam's moving averages start at zero, $m_0 = v_0 = 0$, so for the first steps they are too small. Algorithm 1
# fixes this with two lines that are easy to forget and easy to get wrong:
# $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}.$$
# This notebook derives them, checks them, and shows what goes wrong without them.
#
# **You will learn**
# - why starting from zero biases both moments towards zero, and by exactly how much:
#   $\mathbb E[m_t] = (1-\beta_1^t)\,\mathbb E[g]$ and $\mathbb E[v_t] = (1-\beta_2^t)\,\mathbb E[g^2]$ for a stationary
#   stream, derived step by step;
# - a Monte Carlo check that the corrected $\hat m_t$ and $\hat v_t$ are unbiased;
# - how long the bias lasts for $\beta_2 \in \{0.99, 0.999, 0.9999\}$, and what it does to the first steps:
#   without correction, $\beta_2$ near 1 makes them many times larger than $\alpha$;
# - a small version of the paper's Figure 4 (loss against $\alpha$ with and without correction), and what it does
#   and does not confirm;
# - with sliders: $\beta_1$, $\beta_2$, the correction on or off, and the number of steps.
#
# Colours: **red** is Adam with bias correction and **green** Adam without, as in the paper's Figure 4 and
# every figure of this collection; dashed black is the true value.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from adam_edu import Adam, plots
from adam_edu.lessons import bias_correction, moments, update_rule
from adam_edu.plots import setup_notebook
from adam_edu.lessons.bias_correction.slider import BiasCorrection

setup_notebook()
RED, GREEN = plots.color("Adam"), plots.color("Adam (no bias correction)")

# %% [markdown]
# ## 1. Averages that start at zero
#
# Take a stationary stream of gradients with mean $\mathbb E[g] = 1$ and standard deviation 1,
# $g_t = 1 + \xi_t$ with $\xi_t$ standard normal (`numpy.random.default_rng(0)`), so $\mathbb E[g^2] = 2$, and run
# Adam's averages with the defaults $\beta_1 = 0.9$, $\beta_2 = 0.999$:

# %%
g = moments.noisy_gradients(1.0, 1.0, steps=20_000, seed=0)
est = moments.adam_moments(g, beta1=0.9, beta2=0.999)
print("   t      g_t      m_t     m̂_t       v_t     v̂_t")
for t in (1, 2, 3, 10, 100):
    i = t - 1
    print(f"{t:>4} {g[i]:8.3f} {est.m[i]:8.3f} {est.m_hat[i]:7.3f} {est.v[i]:9.5f} {est.v_hat[i]:7.3f}")

# %% [markdown]
# At $t = 1$: $m_1 = (1-\beta_1)\,g_1 = 0.1\,g_1$ and $v_1 = (1-\beta_2)\,g_1^2 = 0.001\,g_1^2$. The first gradient
# is 1.126, yet $m_1 = 0.113$ and $v_1 = 0.0013$: the averages are ten and a thousand times too small, because
# 90 % and 99.9 % of their weight still sits on the starting value 0. Dividing by $1-\beta_1 = 0.1$ and
# $1-\beta_2 = 0.001$ gives back $\hat m_1 = g_1$ and $\hat v_1 = g_1^2$. After 100 steps $m_t$ has caught up,
# $v_t$ has not: $v_{100} = 0.20$ where $\mathbb E[g^2] = 2$.

# %%
t = np.arange(1, 101)
fig, (ax_m, ax_v) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
ax_m.plot(t, est.m[:100], color=GREEN, label="m_t, started at 0")
ax_m.plot(t, est.m_hat[:100], color=RED, label="m̂_t = m_t / (1 − 0.9^t)")
ax_m.axhline(1.0, color="black", ls="--", label="E[g] = 1")
ax_m.set(ylabel="first moment", title="first moment, β1 = 0.9")
ax_v.plot(t, est.v[:100], color=GREEN, label="v_t, started at 0")
ax_v.plot(t, est.v_hat[:100], color=RED, label="v̂_t = v_t / (1 − 0.999^t)")
ax_v.axhline(2.0, color="black", ls="--", label="E[g²] = 2")
ax_v.set(ylabel="second moment", title="second moment, β2 = 0.999")
for ax in (ax_m, ax_v):
    ax.set(xlabel="step t", ylim=(0, 3))
    ax.legend(loc="upper right")
fig.suptitle("The first 100 steps on a stream g_t = 1 + ξ_t, ξ_t standard normal (seed 0)")
plots.save(fig, "03_first_steps")
plt.show()

# %% [markdown]
# The correction is two lines of Algorithm 1. Here they are, written out in NumPy, applied to the $m_t$ and $v_t$ of
# `Adam.update` for the first 5 gradients of the stream above, and checked against the $\hat m_t$ and $\hat v_t$ that
# `Adam.update` computed on its way to the step:

# %%
beta1, beta2 = 0.9, 0.999
adam, theta = Adam(beta1=beta1, beta2=beta2), np.zeros(1)
state, same = adam.init(theta), []
for t in range(1, 6):
    theta, state = adam.update(theta, g[t - 1 : t], state)  # step t on g_t: state holds m_t, v_t, m̂_t, v̂_t
    m_hat = state.m / (1 - beta1**t)  # m̂_t ← m_t/(1 − β1^t)
    v_hat = state.v / (1 - beta2**t)  # v̂_t ← v_t/(1 − β2^t)
    same.append(np.array_equal(m_hat, state.m_hat) and np.array_equal(v_hat, state.v_hat))
assert all(same)
print(f"m̂_t and v̂_t for t = 1…5: equal to Adam.update's to the last bit: {all(same)}"
      f"  (m̂_5 = {m_hat[0]:.3f}, v̂_5 = {v_hat[0]:.3f})")

# %% [markdown]
# ## 2. How large is the bias? The derivation (paper §3)
#
# We derive it for $v_t$; the argument for $m_t$ is the same with $\beta_1$ and $g_i$ in place of $\beta_2$ and $g_i^2$.
#
# **Step 1: unroll the recursion.** From $v_0 = 0$ and $v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2$:
# $v_1 = (1-\beta_2)g_1^2$, $v_2 = (1-\beta_2)(\beta_2 g_1^2 + g_2^2)$, and in general
# $$v_t = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i}\, g_i^2 .$$
#
# **Step 2: take expectations.** The expectation of a sum is the sum of the expectations:
# $$\mathbb E[v_t] = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i}\, \mathbb E[g_i^2] .$$
#
# **Step 3: stationarity.** If the stream is stationary, every $g_i^2$ has the same expectation,
# $\mathbb E[g_i^2] = \mathbb E[g_t^2]$, and it comes out of the sum. If it is not, write
# $\mathbb E[g_i^2] = \mathbb E[g_t^2] + (\mathbb E[g_i^2] - \mathbb E[g_t^2])$; the second parts add up to a remainder
# $$\zeta = (1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i} \left(\mathbb E[g_i^2] - \mathbb E[g_t^2]\right),$$
# which is zero for a stationary stream and small otherwise, because the gradients whose expectation differs
# most from today's, the old ones, carry exponentially small weights. So
# $$\mathbb E[v_t] = \mathbb E[g_t^2]\,(1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i} + \zeta .$$
#
# **Step 4: the geometric sum.** With $k = t-i$ running from 0 to $t-1$,
# $$(1-\beta_2)\sum_{i=1}^{t} \beta_2^{\,t-i} = (1-\beta_2)\sum_{k=0}^{t-1} \beta_2^{\,k}
# = (1-\beta_2)\,\frac{1-\beta_2^t}{1-\beta_2} = 1-\beta_2^t .$$
#
# **Step 5: the result.**
# $$\mathbb E[v_t] = (1-\beta_2^t)\,\mathbb E[g_t^2] + \zeta ,$$
# and in the same way $\mathbb E[m_t] = (1-\beta_1^t)\,\mathbb E[g_t] + \zeta'$. The averages are too small by exactly the
# factor $1-\beta^t$, the total weight of the real gradients (the rest, $\beta^t$, sits on the zero we started
# from). Dividing by it removes the bias: $\mathbb E[\hat v_t] = \mathbb E[v_t]/(1-\beta_2^t) = \mathbb E[g_t^2]$ for a
# stationary stream, and the same for $\hat m_t$.
#
# (Reading along in the paper: where §3 says that "β1 can (and should) be chosen such that" old gradients get
# small weights, it means $\beta_2$, the rate of this very average.)
#
# Step 4 is what `moments.ema_weights` computes: the weights of the real gradients sum to $1-\beta^t$.

# %%
for beta, steps in ((0.9, 10), (0.999, 10), (0.999, 1000)):
    print(f"β = {beta}, t = {steps:>4}: sum of the weights {moments.ema_weights(beta, steps).sum():.6f},"
          f"  1 − β^t = {1 - beta**steps:.6f}")

# %% [markdown]
# ## 3. A Monte Carlo check: are $\hat m_t$ and $\hat v_t$ unbiased?
#
# The derivation is about expectations, so let us estimate them: run the averages over 20,000 independent
# streams $g \sim \mathcal N(1, 1)$ (`default_rng(0)`, 1000 steps each), and average over the streams at each step.
# `bias_correction.monte_carlo_moments` does this and also returns each average's standard error.

# %%
mc = bias_correction.monte_carlo_moments(mean=1.0, std=1.0, beta1=0.9, beta2=0.999, steps=1000, runs=20_000, seed=0)
print("   t  mean m_t  (1−0.9^t)·1   mean m̂_t    mean v_t  (1−0.999^t)·2   mean v̂_t")
for t in (1, 10, 100, 1000):
    i = t - 1
    print(f"{t:>4} {mc.mean['m'][i]:9.4f} {1 - 0.9**t:12.4f} {mc.mean['m_hat'][i]:10.4f}"
          f" {mc.mean['v'][i]:11.4f} {2 * (1 - 0.999**t):14.4f} {mc.mean['v_hat'][i]:10.4f}")
for name, truth in (("m_hat", mc.true_mean), ("v_hat", mc.true_second_moment)):
    worst = np.max(np.abs(mc.mean[name] - truth) / mc.standard_error[name])
    print(f"{name}: largest |average − truth| over t = 1…1000: {worst:.1f} standard errors")

# %% [markdown]
# The raw averages follow $(1-\beta^t)$ times the truth, as derived; the corrected ones sit at $\mathbb E[g] = 1$
# and $\mathbb E[g^2] = 2$ at every step, within the Monte Carlo noise: no step is off by more than 3 standard
# errors, no more than chance alone gives when 1000 averages are compared. The corrected estimates are unbiased.

# %%
t = np.arange(1, 1001)
fig, ax = plt.subplots(figsize=(8, 4))
ax.semilogx(t, mc.mean["m"] / mc.true_mean, color=GREEN, lw=2.5, label="m_t: Monte Carlo mean / E[g]")
ax.semilogx(t, mc.mean["v"] / mc.true_second_moment, color=GREEN, lw=2.5, ls="--",
            label="v_t: Monte Carlo mean / E[g²]")
ax.semilogx(t, 1 - 0.9**t, color="black", lw=1, ls=":", label="1 − β^t (derived), β = 0.9 and 0.999")
ax.semilogx(t, 1 - 0.999**t, color="black", lw=1, ls=":")
ax.semilogx(t, mc.mean["m_hat"] / mc.true_mean, color=RED, lw=1.5, label="m̂_t: Monte Carlo mean / E[g]")
ax.semilogx(t, mc.mean["v_hat"] / mc.true_second_moment, color=RED, lw=1.5, ls="--",
            label="v̂_t: Monte Carlo mean / E[g²]")
ax.set(ylim=(0, 1.1), xlabel="step t (log scale)", ylabel="average over 20,000 streams / true value",
       title="E[m_t] = (1−β1^t)·E[g], E[v_t] = (1−β2^t)·E[g²]; corrected: unbiased\n"
             "(g ~ N(1, 1), β1 = 0.9, β2 = 0.999, 20,000 streams, seed 0)")
ax.legend(loc="center right")
plots.save(fig, "03_monte_carlo")
plt.show()

# %% [markdown]
# ## 4. How long the bias lasts
#
# The bias fades as $\beta^t \to 0$, which takes a few windows of $1/(1-\beta)$ steps: about 30 steps for
# $\beta_1 = 0.9$, but thousands for $\beta_2$. The number of steps until the raw average is within 5 % of the truth
# ($\beta^t \le 0.05$, so $t \ge \ln 0.05/\ln\beta \approx 3/(1-\beta)$):

# %%
for beta in (0.9, 0.99, 0.999, 0.9999):
    print(f"β = {beta:<6}  bias below 5 % after {np.ceil(np.log(0.05) / np.log(beta)):>6,.0f} steps")
print("about 3/(1 − β):", ", ".join(f"{3 / (1 - beta):,.0f}" for beta in (0.9, 0.99, 0.999, 0.9999)))

# %% [markdown]
# Here are $m_t$ against $\hat m_t$ (first 1000 steps), and $v_t$ against $\hat v_t$ for the three values of
# $\beta_2$ the paper tries (20,000 steps), on the same stream ($g \sim \mathcal N(1,1)$, seed 0), on a logarithmic
# step axis:

# %%
t = np.arange(1, len(g) + 1)
fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), layout="constrained")
panels = [("m", 0.9, 1.0, "E[g] = 1")] + [("v", beta2, 2.0, "E[g²] = 2") for beta2 in (0.99, 0.999, 0.9999)]
for ax, (moment, beta, truth, truth_label) in zip(axes, panels):
    raw = moments.ema(g if moment == "m" else g**2, beta)
    ax.semilogx(t, raw, color=GREEN, label=f"{moment}_t")
    ax.semilogx(t, moments.bias_corrected(raw, beta), color=RED, lw=1, label=f"{moment}̂_t, corrected")
    ax.axhline(truth, color="black", ls="--", label=truth_label)
    ax.set(xlim=(1, 1000 if moment == "m" else len(g)), ylim=(0, 2 * truth), xlabel="step t (log scale)",
           title=f"{moment}, β{1 if moment == 'm' else 2} = {beta}")
    ax.legend(loc="upper left")
fig.suptitle("Raw (green) and bias-corrected (red) averages on g_t = 1 + ξ_t (seed 0): "
             "the larger β2, the longer v_t lags")
plots.save(fig, "03_how_long")
plt.show()

# %% [markdown]
# With $\beta_2 = 0.9999$ the raw $v_t$ is still 37 % short after 10,000 steps, far into a typical training run.
# The corrected $\hat v_t$ is right from the first step; it is noisier at first, since it averages fewer
# gradients, but it is never *systematically* too small.
#
# ## 5. What the bias does to the step
#
# Adam steps by $\alpha\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)$. Without correction it would step by
# $\alpha\, m_t/(\sqrt{v_t}+\epsilon)$, and since $v_t$ is much further below its target than $m_t$, the ratio is too
# *large*. For a constant gradient $g$ (and $\epsilon = 0$) it is exactly
# $$\frac{m_t}{\sqrt{v_t}} = \frac{(1-\beta_1^t)\,g}{\sqrt{1-\beta_2^t}\,|g|}
# \quad\Rightarrow\quad |\Delta_t| = \alpha\,\frac{1-\beta_1^t}{\sqrt{1-\beta_2^t}}
# \qquad\text{instead of exactly } \alpha ,$$
# `bias_correction.uncorrected_step_factor`: 3.16 at $t = 1$ for the defaults. The first 50 steps on our noisy stream
# ($\beta_1 = 0.9$, steps in units of $\alpha$, `moments.adam_steps`):

# %%
first = g[:50]
print(f"uncorrected factor at t = 1 for the defaults: {bias_correction.uncorrected_step_factor(1, 0.9, 0.999):.2f}")
for beta2 in (0.99, 0.999, 0.9999):
    with_correction = np.abs(moments.adam_steps(first, lr=1.0, beta1=0.9, beta2=beta2, bias_correction=True))
    without = np.abs(moments.adam_steps(first, lr=1.0, beta1=0.9, beta2=beta2, bias_correction=False))
    print(f"β2 = {beta2:<6}  largest of the first 50 steps: with correction {with_correction.max():.2f} α,"
          f"  without {without.max():5.2f} α (step {without.argmax() + 1})")
print(f"β2 = 0.99: the paper's §2.1 bound {update_rule.step_bound(1.0, 0.9, 0.99):.2f} α, the supremum over all gradients"
      f" {update_rule.step_supremum(1.0, 0.9, 0.99):.2f} α (notebook 04)")

# %%
t = np.arange(1, 51)
fig, ax = plt.subplots(figsize=(8, 4))
for beta2, style in ((0.99, ":"), (0.999, "--"), (0.9999, "-")):
    for correction, colour in ((True, RED), (False, GREEN)):
        steps = np.abs(moments.adam_steps(first, lr=1.0, beta1=0.9, beta2=beta2, bias_correction=correction))
        ax.semilogy(t, steps, style, color=colour, label=f"{'with' if correction else 'without'} correction, β2 = {beta2}")
ax.axhline(1.0, color="black", lw=0.8)
ax.set(xlabel="step t", ylabel="|Δ_t| / α  (log scale)",
       title="Adam's first 50 steps on g_t = 1 + ξ_t (seed 0), β1 = 0.9, in units of α")
ax.set_ylim(0.05, 50)
ax.legend(ncols=2, fontsize=7, loc="lower right")
plots.save(fig, "03_first_50_steps")
plt.show()

# %% [markdown]
# With correction the steps stay near $\alpha$ from the very first one (at most $1.19\,\alpha$ here: the bound
# $|\Delta_t| \lesssim \alpha$ is approximate; with $\beta_2 = 0.99$ the step reaches $1.15\alpha$ where the paper's §2.1 bound says $\alpha$,
# since that bound covers a lone gradient, not every stream, and the true supremum is $2.35\alpha$), for every $\beta_2$: the three red lines lie on top of each other. Without it, the early steps are 2, 6 and 20 times too large for
# $\beta_2 = 0.99$, 0.999 and 0.9999. For a constant gradient the largest step over all $t$, against $1-\beta_2$:

# %%
one_minus_beta2 = np.logspace(-1, -5, 41)
fig, ax = plt.subplots(figsize=(8, 4))
for beta1, style in ((0.9, "-"), (0.0, "--")):
    peak = [bias_correction.uncorrected_step_factor(np.arange(1, 100_001), beta1, 1 - d).max() for d in one_minus_beta2]
    ax.loglog(one_minus_beta2, peak, style, color=GREEN, label=f"without correction, β1 = {beta1}")
ax.axhline(1.0, color=RED, label="with correction: exactly α")
ax.invert_xaxis()
ax.set(xlabel="1 − β2  (log scale; β2 → 1 to the right)", ylabel="largest step / α  (log scale)",
       title="Constant gradient, ε = 0: the largest step over t = 1…100,000")
ax.legend()
plots.save(fig, "03_largest_step")
plt.show()
peaks = {b2: bias_correction.uncorrected_step_factor(np.arange(1, 100_001), 0.9, b2).max() for b2 in (0.99, 0.999, 0.9999)}
print("β1 = 0.9, largest uncorrected step / α:", ", ".join(f"{peak:.1f} (β2 = {b2})" for b2, peak in peaks.items()),
      f"; × √(1 − β2): {peaks[0.999] * np.sqrt(1 - 0.999):.2f}")

# %% [markdown]
# The largest step grows like $0.21/\sqrt{1-\beta_2}$ (for $\beta_1 = 0.9$;
# $1/\sqrt{1-\beta_2}$ at $t = 1$ for $\beta_1 = 0$).
#
# That is the paper's point (§3 and §6.4): **the correction matters most exactly when $\beta_2$ is close to 1**,
# and $\beta_2$ close to 1 is what sparse or noisy gradients need, because a reliable estimate of
# $\mathbb E[g^2]$ has to average over many gradients. Adam without the correction, `Adam(bias_correction=False)`, is what the paper
# compares Adam with in §6.4 under the name *RMSProp with momentum*, and what this collection means by it: the same
# $m_t$ and $v_t$, but a step of $\alpha\,m_t/(\sqrt{v_t}+\epsilon)$. With $\beta_1 = 0$ ($m_t = g_t$) it is plain RMSProp
# (Tieleman & Hinton 2012; notebook 04). The name comes from the version of RMSProp with momentum of Graves (2013), which
# §5 cites; it differs from Adam in a second way, which §5 also names: its momentum acts on the *rescaled* gradient,
# $b_t = \mu\, b_{t-1} + g_t/\sqrt{s_t+\epsilon}$ and $\theta_t = \theta_{t-1} - \eta\, b_t$ (μ the momentum, η the step size, $s_t$ the moving
# average of $g_t^2$, Adam's $v_t$), where Adam averages the raw
# gradients first and rescales afterwards (Graves also subtracts the squared mean gradient under the root:
# `RMSProp(momentum=μ, centered=True, eps_inside_root=True)`). Without the correction and with $\beta_2$ near 1, the
# huge early steps "often" lead to divergence (§5). And only with the correction does Adam with
# $\beta_2 \to 1$ tend to AdaGrad: $\hat v_t \to \frac1t\sum_i g_i^2$, while $v_t \to 0$.
#
# Sparse gradients are the extreme case: a word that appears in one document in a thousand has a gradient that
# is zero almost always, and an estimate of its $\mathbb E[g^2]$ sees a handful of non-zero values only if it averages
# over thousands of steps. That needs $\beta_2$ very close to 1, exactly where the uncorrected $v_t$ lags for
# tens of thousands of steps. The small Figure 4 below has such sparse features.

# %% [markdown]
# ## 6. A small Figure 4
#
# The paper's Figure 4 trains a variational auto-encoder with and without bias correction, over a grid of
# $\beta_1 \in \{0, 0.9\}$, $\beta_2 \in \{0.99, 0.999, 0.9999\}$ and $\log_{10}\alpha \in \{-5, \dots, -1\}$, and plots the
# loss after 10 and after 100 epochs. Its claims: without correction (green) training is unstable for $\beta_2$ near
# 1, especially early; the best results come with correction and small $1-\beta_2$; and Adam with correction (red)
# "performed equal or better than RMSProp [with momentum, i.e. without correction], regardless of
# hyper-parameter setting".
#
# The full experiment belongs to the paper notebooks. Here is the same grid on a problem that runs in a few
# seconds: L2-regularised logistic regression on a synthetic bag-of-words set (1600 examples, 200 word
# features, 1.5 % of them non-zero, Zipf-distributed, so most gradients are sparse; `default_rng(0)`),
# minibatches of 32 (`default_rng(1)`), every run from $w = 0$ on the same batches, the full training loss
# after 100 steps (2 epochs) and 1000 steps (20 epochs). `bias_correction.figure4_study` runs the 60 settings:

# %%
study = bias_correction.figure4_study()
loss = study.loss  # [with/without, β1, β2, α, after 100/1000 steps]
print(f"loss at w = 0: {study.initial_loss:.4f}, minimum: {study.best_loss:.4f}")
print("β1 = 0.9, α = 0.1, loss after 100 steps (red / green) and after 1000 steps:")
for j, beta2 in enumerate(study.beta2s):
    print(f"  β2 = {beta2:<6}  {loss[0, 1, j, -1, 0]:.3f} / {loss[1, 1, j, -1, 0]:.3f}"
          f"    {loss[0, 1, j, -1, 1]:.3f} / {loss[1, 1, j, -1, 1]:.3f}")
worse = loss[0] > loss[1] + 1e-3
print(f"red worse than green (by more than 0.001) in {worse.sum()} of {worse.size} cases,"
      f" all with α ≤ {10.0 ** max(np.array(study.log10_lrs)[np.nonzero(worse)[2]]):g}")
print(f"best loss after 1000 steps: red {loss[0, ..., 1].min():.4f}, green {loss[1, ..., 1].min():.4f}"
      f" (green ahead by {loss[0, ..., 1].min() - loss[1, ..., 1].min():.4f})")
for k, log10_lr in enumerate(study.log10_lrs):
    print(f"  α = 1e{log10_lr}: red worse in {worse[..., k, 0].sum()} of 6 after 100 steps, {worse[..., k, 1].sum()} of 6"
          f" after 1000; best after 1000 steps: red {loss[0, ..., k, 1].min():.4f}, green {loss[1, ..., k, 1].min():.4f}")
print(f"red worse at α ≤ 1e-3: {worse[..., :3, :].sum()} of {worse.sum()}")

# %%
fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True, sharey=True, layout="constrained")
for (i, j), ax in np.ndenumerate(axes):
    for c, r in np.ndindex(2, 2):  # c: with/without correction; r: after 100/1000 steps
        ax.plot(study.log10_lrs, loss[c, i, j, :, r], "o-" if r else "o--", color=(RED, GREEN)[c], ms=4,
                label=f"{('with', 'without')[c]} correction, {(study.short_steps, study.long_steps)[r]} steps")
    ax.axhline(study.best_loss, color="black", ls=":", lw=1, label="minimum of the loss")
    ax.set(title=f"β1 = {study.beta1s[i]}, β2 = {study.beta2s[j]}", ylim=(0.4, 0.9))
    ax.set(xlabel="log10(α)" if i else "", ylabel="training loss" if j == 0 else "")
axes[0, 0].legend(fontsize=7, loc="upper right")
fig.suptitle("A small Figure 4: L2 logistic regression, synthetic sparse bag-of-words (1600 × 200), batch 32; "
             "dashed: after 100 steps, solid: after 1000")
plots.save(fig, "03_figure4_small")
plt.show()

# %% [markdown]
# What this small version shows, claim by claim:
#
# - **Without correction, $\beta_2$ near 1 is unstable early: confirmed.** At the largest step size the green loss
#   after 100 steps ($\beta_1 = 0.9$) rises from 0.450 ($\beta_2 = 0.99$) to 0.545 and 0.865 ($\beta_2 = 0.9999$), above the
#   0.693 of the untrained model, while red stays at 0.44 in every column. After 1000 steps green has partly
#   recovered (0.505), still well above red's 0.438.
# - **The red curves do not depend on $\beta_2$; the green ones do.** With correction, $\alpha$ means the same step
#   size whatever $\beta_2$ is, so the three red panels of a row are nearly identical. Without it, the early
#   steps are larger by up to $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ and the green curves slide to the left as
#   $\beta_2 \to 1$: the best $\alpha$ depends on $\beta_2$.
# - **"Equal or better regardless of hyper-parameter setting": not on this problem.** Green is *better* in 37 of the 60
#   cases, all with $\alpha \le 0.01$, for two reasons. Where $\alpha$ is too small for the run ($\alpha \le 10^{-3}$: the best loss
#   after 1000 steps is 0.4345 or worse, against 0.4315 at $\alpha = 0.01$) its inflated early steps are just what a
#   too-small $\alpha$ needs: 31 of the 37. At $\alpha = 0.01$, the best $\alpha$ for both, green is ahead after 100 steps in 6 of 6
#   settings, having got there sooner, and the two end within 0.001 of each other after 1000.
#   On a convex problem an overshoot costs little and is undone later; in the paper's VAE, large early steps do
#   lasting damage, which this problem cannot show.
# - **The best result:** a tie. Red and green both reach within 0.001 of the minimum at $\alpha = 0.01$ (green is
#   ahead by 0.0002 here).
#
# The honest summary: bias correction does not make Adam faster; it makes $\alpha$ mean what it says from the
# first step, so that $\beta_2$ can be set close to 1 without huge, possibly ruinous, early steps.

# %% [markdown]
# ## 7. Try it: $\beta_1$, $\beta_2$, the correction, and the number of steps
#
# **The question:** without bias correction, how large are Adam's first steps, and for how many steps does the
# bias last? **What to look for:**
# - Switch the correction off: the bold lines become the green ones. The first moment is low for about
#   $1/(1-\beta_1)$ steps, $\sqrt{v_t}$ for far longer, and the step (right) jumps to several $\alpha$; the dotted curve
#   is the constant-gradient factor $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$.
# - Move $\log_{10}(1-\beta_2)$ from −2 to −4 (0.99 to 0.9999): the green step grows roughly tenfold, and the bias
#   lasts about $3/(1-\beta_2)$ steps. With the correction on, the red step hardly changes.
# - Set $\beta_1 = 0$: the very first uncorrected step is $1/\sqrt{1-\beta_2}$ times $\alpha$: 100 for $\beta_2 = 0.9999$.
# - Move the number of steps: the line under the plots reads $1-\beta_1^t$, $1-\beta_2^t$ and the uncorrected
#   factor at that step, where the cursor is.
#
# The picture below the sliders is a static copy for readers without a running kernel ($\beta_1 = 0.9$,
# $\beta_2 = 0.999$, correction on, 10,000 steps).

# %% tags=["nbval-ignore-output"]
experiment = BiasCorrection(beta1=0.9, beta2=0.999, bias_correction=True, steps=10_000, seed=0)
experiment.save("03_slider_bias_correction")
display(experiment.widget(), experiment.snapshot())

# %% [markdown]
# ## Summary
#
# - Started at $m_0 = v_0 = 0$, Adam's averages put the weight $\beta^t$ on that zero, so
#   $\mathbb E[m_t] = (1-\beta_1^t)\,\mathbb E[g]$ and $\mathbb E[v_t] = (1-\beta_2^t)\,\mathbb E[g^2]$ for a stationary stream (plus a
#   small ζ if it is not). Dividing by $1-\beta^t$ removes the bias: the Monte Carlo averages of $\hat m_t$ and
#   $\hat v_t$ match the truth at every step.
# - The bias lasts about $3/(1-\beta)$ steps: 30 for $\beta_1 = 0.9$, 3000 for $\beta_2 = 0.999$, 30,000 for 0.9999.
# - Because $v$ lags more than $m$, omitting the correction makes the early steps too large, by up to about
#   $0.21/\sqrt{1-\beta_2}$ (for $\beta_1 = 0.9$): 2.1, 6.6 and 21 times $\alpha$ for $\beta_2 = 0.99$, 0.999, 0.9999. With it,
#   the step is about $\alpha$ from $t = 1$.
# - The correction matters most when $\beta_2$ is near 1, the setting that sparse and noisy gradients call for.
# - On a small, convex version of Figure 4 the correction prevents the early blow-up at large $\alpha$ and makes the
#   results independent of $\beta_2$, but it is not better everywhere: where $\alpha$ is too small, and early in the run at
#   the best $\alpha$, the uncorrected, larger steps help.
#
# ## Exercises
#
# Fill in each function, then run its cell: the check says whether the answer is right and, if not, what is
# likely wrong. `show_solution(...)` prints a model answer.
#
# **1.** Implement the bias-corrected average: given values $x_1, \dots, x_T$ and β, return $\hat m_1, \dots, \hat m_T$,
# with $m_t = \beta m_{t-1} + (1-\beta)x_t$, $m_0 = 0$ and $\hat m_t = m_t/(1-\beta^t)$.

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.bias_correction import exercises


def bias_corrected_average(values, beta):
    return None  # your code here


exercises.check_bias_corrected_average(bias_corrected_average)


# %% [markdown]
# **2.** Return Adam's two corrected moments `(m_hat, v_hat)` for a gradient stream `grads` (one entry per step).

# %%
def adam_moments(grads, beta1, beta2):
    return None  # your code here


exercises.check_adam_moments(adam_moments)


# %% [markdown]
# **3.** For a constant gradient and $\epsilon = 0$, how much larger than $\alpha$ is Adam's step at step $t$ without
# bias correction? Return the factor for an array of steps `t`. Then find its largest value for
# $\beta_1 = 0.9$, $\beta_2 = 0.9999$, and the step at which it is reached.

# %%
def uncorrected_step_factor(t, beta1, beta2):
    return None  # your code here


exercises.check_uncorrected_step_factor(uncorrected_step_factor)

# %% [markdown]
# To see a model answer: `show_solution(exercises.solution_adam_moments)`.
