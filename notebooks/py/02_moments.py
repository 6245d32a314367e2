# %% [markdown]
# # 02 · Moving averages: what Adam's $m$ and $v$ estimate
#
# Adam does not step along the gradient it has just computed. It keeps two running averages of all the
# gradients so far, $m_t$ of the gradients and $v_t$ of their squares, and steps along
# $\hat m_t/\sqrt{\hat v_t}$. This notebook is about those two averages: what they weigh, what they estimate,
# and what their ratio says.
#
# **You will learn**
# - the exponential moving average (EMA) as a *leaky* average: its weights $(1-\beta)\beta^{t-i}$ and its
#   memory of about $1/(1-\beta)$ steps;
# - what $m_t$ and $v_t$ estimate on a noisy gradient stream with a known mean and variance: the mean gradient
#   $\mathbb E[g]$ and the *uncentred* second moment $\mathbb E[g^2]$, not the variance;
# - why Adam's $\beta_2 = 0.999$ is much closer to 1 than its $\beta_1 = 0.9$;
# - the ratio $\hat m_t/\sqrt{\hat v_t}$ as a signal-to-noise ratio, and why Adam's steps shrink near an optimum;
# - with sliders: what $\beta_1$, $\beta_2$ and the noise level do to all of this.
#
# The bias of $m_t$ and $v_t$ in the first steps, and its correction $\hat m_t$, $\hat v_t$, is the subject of
# notebook 03; here the corrected averages are used where it matters, without further comment.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from adam_edu import Adam, functions, plots
from adam_edu.lessons import moments
from adam_edu.plots import setup_notebook
from adam_edu.plots import QUANTITY_COLORS as C
from adam_edu.lessons.moments.slider import MomentEstimates

setup_notebook()

# %% [markdown]
# ## 1. A leaky average
#
# Adam's first moment is updated once per step, starting from $m_0 = 0$:
# $$m_t = \beta_1\, m_{t-1} + (1-\beta_1)\, g_t .$$
# The old average keeps a share $\beta_1$, the new gradient gets $1-\beta_1$. Unrolling the recursion,
# $$m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{\,t-i}\, g_i ,$$
# a weighted sum of *all* past gradients in which the weight of a gradient shrinks by a factor $\beta_1$
# with every step it ages: an average that leaks. The same holds for $v_t$ with $\beta_2$ and $g_i^2$.
# `moments.ema_weights(beta, t)` gives the weights of $g_1, \dots, g_t$:

# %%
weights = moments.ema_weights(0.5, 5)
print("weights of g_1 … g_5 for β = 0.5:", weights)
print(f"their sum: {weights.sum():.5f} = 1 − 0.5^5")

# %% [markdown]
# The weights add up to $1-\beta^t$, not to 1: the missing $\beta^t$ is the weight of the starting value
# $m_0 = 0$. That is the bias notebook 03 removes. On logarithmic axes the weights are flat at $1-\beta$ for
# the most recent gradients, then fall off a cliff: the cliff is at about $1/(1-\beta)$ steps back.

# %%
fig, ax = plt.subplots(figsize=(7.5, 4))
back = np.arange(1, 20_001)  # 1 = the newest gradient g_t, 2 = g_{t−1}, …
for beta, shade in zip((0.5, 0.9, 0.99, 0.999), plt.cm.viridis([0.0, 0.3, 0.6, 0.85])):
    ax.loglog(back, moments.ema_weights(beta, len(back))[::-1], color=shade, lw=2, label=f"β = {beta}")
    ax.axvline(moments.effective_window(beta), color=shade, ls=":", lw=1.2)
ax.set(ylim=(1e-7, 1), xlabel="how many steps back (1 = the newest gradient; log scale)",
       ylabel="weight (1−β)·β^(t−i)  (log scale)",
       title="The weights of an exponential moving average; dotted: 1/(1−β) steps back")
ax.legend()
plots.save(fig, "02_ema_weights")
plt.show()

# %% [markdown]
# **The effective window.** $1/(1-\beta)$ is the number of steps the average remembers: 2 for $\beta = 0.5$,
# 10 for $\beta_1 = 0.9$, 1000 for $\beta_2 = 0.999$. For $\beta$ near 1, the most recent $1/(1-\beta)$ gradients
# carry about $1 - 1/e \approx 63\,\%$ of the weight (since $\beta^{1/(1-\beta)} \approx 1/e$) and three windows
# carry 95 %:

# %%
for beta in (0.5, 0.9, 0.99, 0.999, 0.9999):
    window = moments.effective_window(beta)
    share = moments.recent_weight(beta, [round(window), round(3 * window)])
    print(f"β = {beta:<7} window 1/(1−β) = {window:>6,.0f} steps;  weight of the last window {share[0]:.0%}, "
          f"of the last three {share[1]:.0%}")

# %% [markdown]
# ## 2. $m_t$ and $v_t$ on a noisy gradient stream
#
# To see what the averages estimate we need a stream whose answer we know. Take gradients
# $g_t = \mu + \sigma\,\xi_t$ with $\xi_t$ independent standard normal numbers (`numpy.random.default_rng(0)`),
# mean $\mu = 0.5$ and standard deviation $\sigma = 1$: a gradient that points the right way on average but is
# twice as noisy as it is large, as minibatch gradients often are. Then
# $$\mathbb E[g] = \mu = 0.5, \qquad \mathbb E[g^2] = \mu^2 + \sigma^2 = 1.25 .$$
# $v$ averages $g^2$, so it estimates $\mathbb E[g^2]$, the **uncentred** second moment: the squared mean *plus*
# the variance. It is not the variance $\sigma^2 = 1$; Adam never subtracts the mean.

# %% [markdown]
# Adam computes the two averages with two lines of Algorithm 1. Here they are, written out in NumPy, for the
# first 5 gradients of three such streams (three parameters, one stream each), from $m_0 = v_0 = 0$; the last lines
# check them against `moments.adam_moments`, which the rest of this notebook uses, and against the state of
# `Adam.update` itself:

# %%
beta1, beta2 = 0.9, 0.999
stream = moments.noisy_gradients(0.5, 1.0, steps=5, runs=3, seed=0)  # row t − 1 is g_t, for 3 parameters
m, v = np.zeros(3), np.zeros(3)  # m_0 ← 0, v_0 ← 0
for g_t in stream:
    m = beta1 * m + (1 - beta1) * g_t  # m_t ← β1·m_{t−1} + (1 − β1)·g_t
    v = beta2 * v + (1 - beta2) * g_t**2  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
print("m_5 =", np.round(m, 4), "  v_5 =", np.round(v, 5))

# %%
adam, theta = Adam(), np.zeros(3)
state = adam.init(theta)
for g_t in stream:
    theta, state = adam.update(theta, g_t, state)
library = moments.adam_moments(stream, beta1, beta2)
pairs = [(m, library.m[-1]), (v, library.v[-1]), (m, state.m), (v, state.v)]
same = all(np.array_equal(mine, theirs) for mine, theirs in pairs)
assert same
print(f"m and v after 5 steps: equal to moments.adam_moments's and to Adam's state to the last bit: {same}")

# %% [markdown]
# Now one stream, long enough to see what the averages settle to: 5000 steps of $g_t = 0.5 + \xi_t$ (seed 0), and the means of $m_t$ and $v_t$ over its second half, long after the start:

# %%
mu, sigma = 0.5, 1.0
g = moments.noisy_gradients(mu, sigma, steps=5000, seed=0)
est = moments.adam_moments(g, beta1=0.9, beta2=0.999)
late = slice(2500, None)  # steps 2501 … 5000, long after the start
print(f"mean of m_t over steps 2501–5000: {est.m[late].mean():.3f}   (E[g] = {mu})")
print(f"mean of v_t over steps 2501–5000: {est.v[late].mean():.3f}   (E[g²] = {moments.second_moment(mu, sigma):.2f})")

# %%
t = np.arange(1, len(g) + 1)
fig, (ax_m, ax_v) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
ax_m.plot(t, g, ".", color=C["g"], ms=1.5, label="gradients g_t")
ax_m.plot(t, est.m, color=C["m"], lw=1.2, label="m_t  (β1 = 0.9)")
ax_m.axhline(mu, color=C["truth"], ls="--", label="E[g] = 0.5")
ax_m.set(ylim=(-2.5, 3.5), ylabel="gradient units", title="m_t follows the mean gradient, noisily")
ax_v.plot(t, est.v, color=C["v"], lw=1.5, label="v_t  (β2 = 0.999)")
ax_v.axhline(moments.second_moment(mu, sigma), color=C["truth"], ls="--", label="E[g²] = μ² + σ² = 1.25")
ax_v.axhline(sigma**2, color=C["truth"], ls=":", label="the variance σ² = 1 (not what v estimates)")
ax_v.set(ylim=(0, 1.6), title="v_t settles at the uncentred second moment")
for ax in (ax_m, ax_v):
    ax.set_xlabel("step t")
    ax.legend(loc="lower right")
fig.suptitle("Adam's averages on a stream g_t = 0.5 + ξ_t, ξ_t standard normal (seed 0), 5000 steps")
plots.save(fig, "02_moments_on_stream")
plt.show()

# %% [markdown]
# $m_t$ wanders around 0.5, $v_t$ settles just above 1.2: the two averages estimate $\mathbb E[g]$ and
# $\mathbb E[g^2]$. Two things catch the eye. $v_t$ takes a thousand steps or more to climb to its level: with
# $\beta_2 = 0.999$ it starts from $v_0 = 0$ and needs a few windows of 1000 steps to forget it (notebook 03
# corrects this from the first step). And $v_t$ is far smoother than $m_t$: it averages over 1000 steps, $m_t$
# over 10. That difference is deliberate.
#
# ## 3. Why $\beta_2$ is much closer to 1 than $\beta_1$
#
# A longer memory means less noise but more lag. An EMA of independent values with variance $s^2$ has, once
# warmed up, the variance $\frac{1-\beta}{1+\beta}\,s^2$ (`moments.ema_noise`), and it needs about
# $1/(1-\beta)$ steps to follow a change. The two averages have different jobs, so they settle this
# trade-off differently:
#
# - $m_t$ gives the **direction**, which changes as the parameters move: it must follow quickly, so its memory
#   is short (10 steps). Its noise is tolerable, because the parameters add up the steps and so average the
#   noise once more.
# - $v_t$ gives the **scale** that divides *every* step. An error in $v$ is an error in the step size, and an
#   estimate that happens to be too small makes steps that are too large. The scale of the gradients changes
#   slowly, so a long memory (1000 steps) costs little and buys a steady step size. With sparse or very noisy
#   gradients an estimate of $\mathbb E[g^2]$ needs many gradients to be reliable at all (the paper, §3).
#
# How much the step size wobbles because of $\hat v$ alone: for a stream with $\mathbb E[g]=0$, $\sigma = 1$
# (seed 1, 20,000 steps), the factor $1/\sqrt{\hat v_t}$ by which the step is scaled, relative to its ideal
# value $1/\sqrt{\mathbb E[g^2]} = 1$, after the first 2000 steps:

# %%
noise_only = moments.noisy_gradients(0.0, 1.0, steps=20_000, seed=1)
for beta2 in (0.9, 0.99, 0.999):
    v_hat = moments.bias_corrected(moments.ema(noise_only**2, beta2), beta2)[2000:]
    scale = 1 / np.sqrt(v_hat)
    print(f"β2 = {beta2:<6} relative noise of v̂: {v_hat.std():.3f} (theory {np.sqrt(2) * moments.ema_noise(beta2):.3f});"
          f"  step scale between {scale.min():.2f} and {scale.max():.2f}")

# %% [markdown]
# With $\beta_2 = 0.9$ some steps are 1.8 times too long and others 0.6 times too short, only because $\hat v$
# happened to be small or large at the time; with $\beta_2 = 0.999$ the step scale stays within 5 % of its
# ideal value. (The theory column is $\sqrt{2}\sqrt{(1-\beta)/(1+\beta)}$: $g^2$ of a standard normal has
# variance 2. The measurement falls a little short of it for $\beta_2 = 0.999$, because 18,000 steps hold only
# 18 independent windows.) The picture of the trade-off, with Adam's two defaults marked:

# %%
betas = 1 - np.logspace(-0.3, -4.5, 60)
fig, (ax_t, ax_c) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for beta2, shade in ((0.9, C["m"]), (0.999, C["v"])):
    v_hat = moments.bias_corrected(moments.ema(noise_only**2, beta2), beta2)
    ax_t.plot(np.arange(1, 5001), v_hat[:5000], color=shade, lw=1, label=f"v̂_t with β = {beta2}")
ax_t.axhline(1.0, color=C["truth"], ls="--", label="E[g²] = 1")
ax_t.set(ylim=(0, 3), xlabel="step t", ylabel="v̂_t", title="v̂_t on a stream g ~ N(0, 1) (seed 1)")
ax_c.loglog([moments.effective_window(b) for b in betas], [np.sqrt(2) * moments.ema_noise(b) for b in betas],
            color="0.3", label="relative noise √2·√((1−β)/(1+β)) of an EMA of g²")
for beta, name, shade in ((0.9, "β1 = 0.9 (m)", C["m"]), (0.999, "β2 = 0.999 (v)", C["v"])):
    ax_c.plot(moments.effective_window(beta), np.sqrt(2) * moments.ema_noise(beta), "o", color=shade, ms=9, label=name)
ax_c.set(xlabel="memory 1/(1−β) in steps: the lag (log scale)", ylabel="relative noise (log scale)",
         title="Less noise costs more memory")
for ax in (ax_t, ax_c):
    ax.legend()
plots.save(fig, "02_noise_and_memory")
plt.show()

# %% [markdown]
# ## 4. $\hat m/\sqrt{\hat v}$: a signal-to-noise ratio
#
# Adam's step is $\Delta_t = -\alpha\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)$: with $\epsilon$ negligible, its size
# in units of $\alpha$ is the ratio $\hat m_t/\sqrt{\hat v_t}$, which the paper (§2.1) calls a *signal-to-noise
# ratio*. On a stationary stream it settles near
# $$\frac{\mathbb E[g]}{\sqrt{\mathbb E[g^2]}} = \frac{\mu}{\sqrt{\mu^2+\sigma^2}} = \frac{r}{\sqrt{1+r^2}},
# \qquad r = \mu/\sigma ,$$
# which is never larger than 1 in size (so $|\Delta_t| \lesssim \alpha$), close to $\pm 1$ when the gradients
# agree ($r$ large) and close to 0 when they are mostly noise ($r$ small). The long-run mean of
# $\hat m_t/\sqrt{\hat v_t}$ (steps 1001–20,000, $\beta_1 = 0.9$, $\beta_2 = 0.999$, seed 2) against that formula:

# %%
for r in (0.1, 0.3, 1.0, 3.0):
    est_r = moments.adam_moments(moments.noisy_gradients(r, 1.0, steps=20_000, seed=2), 0.9, 0.999)
    snr = moments.signal_to_noise(est_r.m_hat, est_r.v_hat)[1000:]
    print(f"μ/σ = {r:<4}  mean of m̂/√v̂: {snr.mean():.3f}   μ/√(μ²+σ²) = {moments.limiting_signal_to_noise(r, 1.0):.3f}")

# %% [markdown]
# Why this matters: near an optimum the mean gradient goes to zero while the noise does not, so $r$ and with it
# Adam's step shrink on their own, with no learning-rate schedule. The paper calls it *automatic annealing*.
# Here is Adam ($\alpha = 0.05$, $\beta_1 = 0.9$, $\beta_2 = 0.999$) on $f(\theta) = \theta^2/2$ from $\theta_0 = 5$, with
# gradient $\theta + \xi_t$ (noise $\sigma = 1$, seed 0; `moments.noisy_quadratic`):

# %%
objective = moments.noisy_quadratic(std=1.0, steps=2000, start=5.0, seed=0)
history = functions.run(Adam(lr=0.05), objective, steps=2000)
step_size = np.abs([state.delta[0] for state in history.states[1:]]) / 0.05
for first, last in ((1, 50), (201, 500), (1001, 2000)):
    print(f"steps {first:>4}–{last:<4}  mean |θ| = {np.abs(history.params[first:last + 1, 0]).mean():.2f},"
          f"  mean |Δ_t|/α = {step_size[first - 1:last].mean():.2f}")

# %%
t = np.arange(1, 2001)
fig, (ax_theta, ax_step) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
ax_theta.plot(np.arange(2001), history.params[:, 0], color=plots.color("Adam"), lw=1, label="Adam: θ_t")
ax_theta.axhline(0, color=C["truth"], ls="--", label="the minimum θ = 0")
ax_theta.set(xlabel="step t", ylabel="θ_t", title="θ_t: a steady run down, then jitter around the minimum")
ax_step.semilogy(t, step_size, color=C["snr"], lw=0.6, alpha=0.3, label="|Δ_t|/α ≈ |m̂_t/√v̂_t|, each step")
ax_step.semilogy(t[49:], np.convolve(step_size, np.ones(50) / 50, "valid"), color=C["snr"], lw=2,
                 label="its mean over the last 50 steps")
ax_step.axhline(1, color=C["truth"], ls=":", label="α")
ax_step.set(ylim=(1e-3, 5), xlabel="step t", ylabel="|Δ_t| / α  (log scale)", title="the step shrinks by itself")
ax_theta.legend(loc="upper right")
ax_step.legend(loc="lower left", framealpha=0.95)
fig.suptitle("Adam (α = 0.05, β1 = 0.9, β2 = 0.999) on f(θ) = θ²/2 with noisy gradients θ + ξ_t (σ = 1, seed 0)")
plots.save(fig, "02_signal_to_noise")
plt.show()

# %% [markdown]
# For the first 50 steps the gradient ($\theta$ between 5 and 2.5) dwarfs the noise: $\hat m/\sqrt{\hat v}
# \approx 1$ and Adam walks towards the minimum at almost exactly $\alpha$ per step. Once $\theta$ is near 0 only
# noise is left, the ratio drops, and the steps shrink to about a tenth of $\alpha$: Adam has annealed its own
# step size. (Between steps 200 and 500 they are smaller still, because $\hat v$ still remembers the large
# gradients of the first steps; once it has forgotten them, after a thousand steps or so, the steps settle
# near $0.16\,\alpha$.) They do not go to zero: $\hat m_t$ averages only about ten noisy gradients, so it keeps
# a typical size of about $0.2\,\sigma$, and $\theta$ keeps jittering around the minimum. To settle exactly,
# Adam still needs a decaying $\alpha$ (the paper uses $\alpha_t = \alpha/\sqrt t$ in its theory, §4).
#
# ## 5. Try it: $\beta_1$, $\beta_2$ and the noise level
#
# **The question:** how quickly do $\hat m$ and $\sqrt{\hat v}$ follow a change, and how noisy are they? The
# stream below has mean gradient 1 for 300 steps, then 0, as if an optimum had been reached and only noise were
# left. **What to look for:**
# - $\beta_1$ near 0: $\hat m$ follows the drop at once but is as noisy as the gradients; near 0.99 it is smooth
#   but needs a hundred steps to notice.
# - $\beta_2$ (the slider is $\log_{10}(1-\beta_2)$, so −2, −3, −4 are 0.99, 0.999, 0.9999): with a long memory,
#   $\sqrt{\hat v}$ still remembers the large gradients of the first phase long after step 300, which makes
#   $\hat m/\sqrt{\hat v}$ smaller than its target; with a short one, $\sqrt{\hat v}$ jumps around with every
#   gradient, and so would the step size.
# - the noise σ: with σ = 0 the ratio is exactly 1, then 0; the larger σ, the smaller $\hat m/\sqrt{\hat v}$ in the
#   first phase ($1/\sqrt{1+\sigma^2}$), and the more it wobbles around 0 in the second.
#
# The picture below the sliders is a static copy for readers without a running kernel (it shows the default
# settings $\beta_1 = 0.9$, $\beta_2 = 0.999$, σ = 1).

# %% tags=["nbval-ignore-output"]
experiment = MomentEstimates(beta1=0.9, beta2=0.999, noise=1.0, seed=0)
experiment.save("02_slider_moments")
display(experiment.widget(), experiment.snapshot())

# %% [markdown]
# ## Summary
#
# - An exponential moving average $m_t = \beta m_{t-1} + (1-\beta) g_t$ weighs the gradient from $k$ steps ago
#   by $(1-\beta)\beta^k$: it remembers about $1/(1-\beta)$ steps, 10 for $\beta_1 = 0.9$ and 1000 for
#   $\beta_2 = 0.999$. Started at 0, its weights sum to $1-\beta^t$, not 1 (notebook 03).
# - On a noisy stream, $m_t$ estimates the mean gradient $\mathbb E[g]$ and $v_t$ the uncentred second moment
#   $\mathbb E[g^2] = \mathbb E[g]^2 + \operatorname{Var}[g]$, not the variance.
# - Memory trades lag for noise. $\beta_2$ is closer to 1 because $v$ scales every step, so its noise becomes
#   step-size noise; $\beta_1$ is smaller because the direction must follow the landscape.
# - $\hat m_t/\sqrt{\hat v_t}$, the step in units of $\alpha$, settles near $\mathbb E[g]/\sqrt{\mathbb E[g^2]}$,
#   which lies in $[-1, 1]$. It shrinks when the gradient is mostly noise, as near an optimum: Adam's step
#   anneals itself.
#
# ## Exercises
#
# Fill in each function, then run its cell: the check says whether the answer is right and, if not, what is
# likely wrong. `show_solution(...)` prints a model answer.
#
# **1.** Return the weights $(1-\beta)\beta^{t-i}$ of $g_1, \dots, g_t$ in $m_t$, oldest first, as an array.

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.moments import exercises


def ema_weights(beta, t):
    return None  # your code here


exercises.check_ema_weights(ema_weights)


# %% [markdown]
# **2.** Write the moving average itself: given an array of values $x_1, \dots, x_T$, return
# $m_1, \dots, m_T$ with $m_t = \beta m_{t-1} + (1-\beta) x_t$ and $m_0 = 0$.

# %%
def ema(values, beta):
    return None  # your code here


exercises.check_ema(ema)


# %% [markdown]
# **3.** Where does $\hat m/\sqrt{\hat v}$ settle for gradients with mean μ and standard deviation σ? Return it
# for arrays `mean` and `std`. Then: which noise level halves it, for μ = 1?

# %%
def limiting_snr(mean, std):
    return None  # your code here


exercises.check_limiting_snr(limiting_snr)

# %% [markdown]
# To see a model answer: `show_solution(exercises.solution_ema)`.
