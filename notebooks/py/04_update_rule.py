# %% [markdown]
# # 04 · The update rule: θ ← θ − α·m̂/(√v̂ + ε)
#
# Notebooks 02 and 03 built the two moment estimates and corrected their bias. This notebook is about the last
# line of Algorithm 1, the one that moves the parameters.
#
# **You will learn**
# - why Adam's step is *per parameter* and about $\alpha$ in size, whatever the size of the gradient, and when it
#   exceeds $\alpha$: the paper's §2.1 bound is the step of a lone gradient, and growing gradients go further (the true supremum);
# - that multiplying the gradients by 1000 leaves the path unchanged (scale invariance), and the *trust-region*
#   reading of $\alpha$;
# - the three places libraries put $\epsilon$ (Algorithm 1, Keras's $\hat\epsilon$, inside the root), the numbers they give,
#   and when the difference matters;
# - how RMSProp and AdaGrad are special cases of Adam and AdaMax its $p \to \infty$ limit (paper §5 and §7.1);
# - with sliders, what each hyper-parameter does to a 2-D path.

# %%
import matplotlib.pyplot as plt
import numpy as np

from adam_edu import SGD, AdaGrad, Adam, RMSProp, functions, plots
from adam_edu.lessons import moments, update_rule
from adam_edu.functions import cubic, quadratic, rosenbrock

plots.setup_notebook()

# %% [markdown]
# ## A step per parameter, of about α
#
# Gradient descent steps by $\eta\, g$: a coordinate with a gradient 25 times larger takes a step 25 times larger.
# Adam divides each coordinate's $\hat m_t$ by its own $\sqrt{\hat v_t}$, the root mean square of *that* coordinate's
# recent gradients. If the gradients are steady, $\hat m_t \approx g$ and $\sqrt{\hat v_t} \approx |g|$, so every coordinate
# moves by about $\alpha$, whatever its scale. On the ill-conditioned quadratic $f = (x^2 + 25y^2)/2$:

# %%
runs = {
    "SGD": functions.run(SGD(lr=0.035), quadratic, steps=60),
    "Adam": functions.run(Adam(lr=0.1), quadratic, steps=60),
}
fig, (ax_path, ax_step) = plt.subplots(1, 2, figsize=(11, 3.8))
plots.draw_contours(ax_path, quadratic)
plots.draw_paths(ax_path, {name: h.params for name, h in runs.items()})
ax_path.set_title("paths on (x² + 25y²)/2, 60 steps")
ax_path.legend(loc="lower right")
for name, h in runs.items():
    steps = np.abs(np.diff(h.params, axis=0))
    ax_step.semilogy(steps[:, 0], color=plots.color(name), label=f"{name}: |Δx_t|")
    ax_step.semilogy(steps[:, 1], color=plots.color(name), ls="--", label=f"{name}: |Δy_t|")
ax_step.set_xlabel("step t")
ax_step.set_ylabel("step size per coordinate (log scale)")
ax_step.set_ylim(1e-6, 3)
ax_step.set_title("SGD lr 0.035 (largest stable ≈ 2/25 = 0.08), Adam lr 0.1")
ax_step.legend(ncol=2)
plots.save(fig, "04_per_parameter_steps")
plt.show()

# %%
first = {name: np.abs(h.states[1].delta) for name, h in runs.items()}
print("first step |Δx|, |Δy|:  SGD", np.round(first["SGD"], 4), "  Adam", np.round(first["Adam"], 4))
print(f"SGD's |Δy|/|Δx| = {first['SGD'][1] / first['SGD'][0]:.3f}: curvature ratio 25 × |y0|/|x0| = 25 × 1.5/4")

# %% [markdown]
# SGD's first step is $\eta\, g$: $9.4$ times larger along $y$ than along $x$ (1.3125 against 0.14), the curvature ratio 25
# times the ratio of the starting coordinates, $1.5/4$. So $\eta$ must be small enough for the steep direction
# ($\eta < 2/25$), and the shallow one crawls. Adam's first step is exactly $\alpha = 0.1$ along both. Later the $y$ steps
# shrink as $y$ oscillates around 0 (the signs of $g_y$ disagree, $\hat m$ shrinks while $\hat v$ does not), while
# $x$ keeps moving by about $\alpha$ until it overshoots.
#
# ## The bound |Δ| ≲ α: a lone spike, and the true supremum
#
# With $\epsilon = 0$ the step is $\alpha\,\hat m_t/\sqrt{\hat v_t}$. Because $|\mathbb E[g]| \le \sqrt{\mathbb E[g^2]}$, the ratio is usually at most about 1,
# so $|\Delta_t| \lesssim \alpha$. The paper (§2.1) states a bound: $|\Delta_t| \le \alpha$ unless $(1-\beta_1) > \sqrt{1-\beta_2}$,
# in which case $|\Delta_t| \le \alpha(1-\beta_1)/\sqrt{1-\beta_2}$, for the defaults $0.1/\sqrt{0.001} = 3.16$ times $\alpha$
# (`update_rule.step_bound`). It comes from "the most severe case of sparsity": a gradient that was zero at every
# step but the current one. Then $m_t = (1-\beta_1)g$ and $v_t = (1-\beta_2)g^2$, and late enough ($\beta^t \approx 0$) the corrections are 1:

# %%
spike_at, steps = 10_000, 10_020
settings = [(0.9, 0.999), (0.9, 0.99), (0.99, 0.999), (0.0, 0.999)]
for beta1, beta2 in settings:
    sizes = update_rule.steps_after_a_spike(spike_at, steps, beta1=beta1, beta2=beta2)
    bound = update_rule.step_bound(1.0, beta1, beta2)
    print(f"β1 = {beta1:<4} β2 = {beta2:<6}  step at the spike / α = {sizes[spike_at - 1]:.4f}   "
          f"paper's bound / α = {bound:.4f}   largest later step / α = {sizes[spike_at:].max():.4f}")

# %% [markdown]
# So a single gradient after a long silence moves the parameter by $\alpha(1-\beta_1)/\sqrt{1-\beta_2}$: $3.16\alpha$ with the defaults,
# exactly the paper's bound; with $\beta_2 = 0.99$ the two sides are equal and the step is $\alpha$.
#
# **But the paper's bound is not an upper bound.** A lone spike is not the worst case. Write the step as sums over
# the past gradients ($\epsilon = 0$, $r = \beta_1^2/\beta_2$):
# $$\frac{|\hat m_t|}{\sqrt{\hat v_t}} = \frac{(1-\beta_1)\,\bigl|\sum_i \beta_1^{t-i} g_i\bigr|/(1-\beta_1^t)}{\sqrt{(1-\beta_2)\sum_i \beta_2^{t-i} g_i^2/(1-\beta_2^t)}},
# \qquad \Bigl|\sum_i \beta_1^{t-i} g_i\Bigr| = \Bigl|\sum_i \bigl(\tfrac{\beta_1}{\sqrt{\beta_2}}\bigr)^{t-i}\,\sqrt{\beta_2}^{\,t-i} g_i\Bigr|
# \le \sqrt{\textstyle\sum_{k<t} r^k}\,\sqrt{\textstyle\sum_i \beta_2^{t-i} g_i^2}$$
# by Cauchy–Schwarz, with equality when $g_i \propto (\beta_2/\beta_1)^i$: gradients that *grow* by $\beta_2/\beta_1$ per step, no
# sparsity needed. Late in a run ($\beta^t \to 0$, and if $\beta_1^2 < \beta_2$) this gives the supremum
# $$|\Delta_t| < \alpha\,\frac{1-\beta_1}{\sqrt{(1-\beta_2)\,(1-\beta_1^2/\beta_2)}},$$
# approached but never reached (`update_rule.step_supremum`; at a finite step $t$ the bias corrections make it smaller).
# With $\beta_1 = 0$ it is the lone spike's $\alpha/\sqrt{1-\beta_2}$; with momentum the growing gradients add up in $m_t$
# faster than in $v_t$. A run of `Adam(eps=0)` on one parameter, 20,000 steps of such gradients
# (`update_rule.steps_on_growing_gradients`), against the formula and the paper's bound:

# %%
print(f"{'β1':>5} {'β2':>6}   growth β2/β1   paper's bound / α   supremum / α   largest step of the run / α")
for beta1, beta2 in [(0.9, 0.999), (0.9, 0.99), (0.99, 0.999)]:
    sizes = update_rule.steps_on_growing_gradients(20_000, beta1=beta1, beta2=beta2)
    print(f"{beta1:>5} {beta2:>6}   {beta2 / beta1:12.3f}   {update_rule.step_bound(1.0, beta1, beta2):17.4f}"
          f"   {update_rule.step_supremum(1.0, beta1, beta2):12.4f}   {sizes.max():27.4f}")

# %% [markdown]
# The run reaches the supremum to the 4 digits printed: $7.27\alpha$ for the defaults, more than twice the paper's $3.16\alpha$,
# and $2.35\alpha$ and $2.30\alpha$ where the paper's bound says $\alpha$. Growth by $\beta_2/\beta_1 \approx 1.11$ per step for the defaults
# is not exotic: a gradient that grows steadily as the parameter runs down a steepening slope does it. So
# "$|\Delta_t| \lesssim \alpha$" is a rule of thumb, good for steady or noisy gradients, not a guarantee. Two dense examples
# exceed $\alpha$, though far less than the supremum: the cubic of notebook 01, where the gradient grows faster than
# $\sqrt{\hat v_t}$ can follow, and the noisy stream of notebook 03 ($g_t = 1 + \xi_t$, seed 0, first 50 steps) with $\beta_2 = 0.99$,
# where the paper's bound is $\alpha$:

# %%
cubic_run = functions.run(Adam(lr=0.05, eps=1e-7), cubic, steps=100)
cubic_largest = max(abs(s.delta[0]) for s in cubic_run.states[1:]) / 0.05
noisy = moments.noisy_gradients(1.0, 1.0, steps=50, seed=0)
noisy_largest = np.abs(moments.adam_steps(noisy, lr=1.0, beta1=0.9, beta2=0.99)).max()
print(f"cubic, lr 0.05, 100 steps: largest step / α = {cubic_largest:.2f}")
print(f"noisy stream, β1 = 0.9, β2 = 0.99, 50 steps: largest step / α = {noisy_largest:.2f}")

# %%
rosenbrock_1000 = functions.scaled(rosenbrock, 1000.0)
adam_paths = {c: functions.run(Adam(lr=0.05), obj, steps=300).params for c, obj in ((1, rosenbrock), (1000, rosenbrock_1000))}
sgd_paths = {c: functions.run(SGD(lr=2e-4), obj, steps=300, stop_if_diverged=True).params
             for c, obj in ((1, rosenbrock), (1000, rosenbrock_1000))}
print(f"Adam: largest distance between the two paths = {np.abs(adam_paths[1] - adam_paths[1000]).max():.1e}")
print(f"SGD, lr 2e-4: on f it runs 300 steps; on 1000·f it overflows after {len(sgd_paths[1000]) - 1} steps")

# %%
fig, ax = plt.subplots(figsize=(6, 4.2))
plots.draw_contours(ax, rosenbrock)
ax.plot(*adam_paths[1].T, color=plots.color("Adam"), lw=3, alpha=0.5, label="Adam on f")
ax.plot(*adam_paths[1000].T, color="black", lw=1, ls="--", label="Adam on 1000·f (same path)")
ax.plot(*sgd_paths[1].T, color=plots.color("SGD"), lw=1.5, label="SGD on f (lr 2e-4)")
ax.set_title("Scale invariance: Rosenbrock, lr 0.05, 300 steps")
ax.legend(loc="lower right")
plots.save(fig, "04_scale_invariance")
plt.show()

# %% [markdown]
# (The paths differ by $10^{-9}$, not 0, because $\epsilon = 10^{-8}$ is added to $\sqrt{\hat v}$, which scales with $c$ while $\epsilon$
# does not. With $\epsilon = 0$ they agree to rounding, as a test checks.)
#
# **The trust-region reading of α.** Since each coordinate moves by at most about $\alpha$ per step, after $t$ steps the
# parameters are within about $t\alpha$ of where they started, per coordinate. The paper: "we often know in advance
# that good optima are with high probability within some set region in parameter space": $\alpha$ is the size of
# the region where you trust the current gradient, independent of its scale.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
t = np.arange(201)
for lr, style in ((0.005, ":"), (0.02, "--"), (0.05, "-")):
    distance = update_rule.distance_travelled(rosenbrock, Adam(lr=lr), 200)
    ax.plot(t, distance, color=plots.color("Adam"), ls=style, label=f"Adam lr {lr}: ‖θ_t − θ_0‖")
    ax.plot(t, t * lr * np.sqrt(2), color="0.5", ls=style, lw=0.8)
ax.set_ylim(0, 2.5)
ax.set_xlabel("step t")
ax.set_ylabel("distance from the start")
ax.set_title("Rosenbrock from (−1.5, 2): distance travelled vs t·α·√2 (grey)")
ax.legend()
plt.show()

# %% [markdown]
# ## Where does ε go?
#
# Three conventions are in use, and they are *not* the same algorithm:
#
# | convention | update | used by |
# |---|---|---|
# | Algorithm 1 | $\theta \leftarrow \theta - \alpha\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)$ | the paper, PyTorch, Optax, JAX |
# | $\hat\epsilon$ form | $\theta \leftarrow \theta - \alpha_t\, m_t/(\sqrt{v_t} + \hat\epsilon)$, $\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ | Keras, TensorFlow (`Adam(eps_hat=True)`) |
# | inside the root | $\theta \leftarrow \theta - \alpha\,\hat m_t/\sqrt{\hat v_t + \epsilon}$ | Keras's RMSprop and AdaGrad, Optax's `eps_root`; not Adam as published |
#
# Each is one line of NumPy. Here are the three, applied to the same state: Adam's $m_t$ and $v_t$ after four steps on
# three parameters whose gradients have the scales 1, $10^{-4}$ and $10^{-7}$ ($\alpha = 0.05$, $\epsilon = 10^{-7}$, as in the
# cubic example below), then step 5 written out, first the moments and the corrections, then the update line of Algorithm 1
# and its two variants:

# %%
alpha, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-7
scales = np.array([1.0, 1e-4, 1e-7])
stream = moments.noisy_gradients(0.5, 1.0, steps=5, runs=3, seed=0) * scales  # row t − 1 is g_t
theta, state = np.zeros(3), Adam().init(np.zeros(3))
for g in stream[:4]:  # steps 1 to 4 by the library; step 5 by hand below
    theta, state = Adam(lr=alpha, eps=eps).update(theta, g, state)

# %%
t, g = state.t + 1, stream[4]
m = beta1 * state.m + (1 - beta1) * g  # m_t ← β1·m_{t−1} + (1 − β1)·g_t
v = beta2 * state.v + (1 - beta2) * g**2  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)  # m̂_t, v̂_t
alpha_t = alpha * (np.sqrt(1 - beta2**t) / (1 - beta1**t))  # α_t, grouped as in the library
by_hand = {
    update_rule.EPS_CONVENTIONS[0]: theta - alpha * m_hat / (np.sqrt(v_hat) + eps),  # Algorithm 1
    update_rule.EPS_CONVENTIONS[1]: theta - alpha_t * m / (np.sqrt(v) + eps),  # ε̂ form: here eps is ε̂
    update_rule.EPS_CONVENTIONS[2]: theta - alpha * m_hat / np.sqrt(v_hat + eps),  # ε inside the root
}

# %% [markdown]
# Each against the library's optimizer for its convention, from the same $\theta_4$ and state
# (`update_rule.adam_with_convention` gives `Adam()`, `Adam(eps_hat=True)` and Adam with ε inside the root), with
# each step $\Delta_5 = \theta_5 - \theta_4$ in units of $\alpha$, for the three gradient scales:

# %%
for name, theta_by_hand in by_hand.items():
    theta_library, _ = update_rule.adam_with_convention(name, lr=alpha, eps=eps).update(theta, g, state)
    same = np.array_equal(theta_by_hand, theta_library)
    assert same
    steps = " ".join(f"{step:8.4f}" for step in (theta_by_hand - theta) / alpha)
    print(f"{name:28} Δ_5/α = {steps};  θ_5 equal to the library's to the last bit: {same}")

# %% [markdown]
# For gradients of scale 1 the three steps agree to the 4 digits printed; at $10^{-4}$ ε inside the root already
# shrinks the step, and at $10^{-7}$, where $\sqrt{\hat v_t}$ is about ε, all three are far below α, each by its own
# factor. The $\hat\epsilon$ form is Algorithm 1 with $\epsilon_t = \hat\epsilon/\sqrt{1-\beta_2^t}$ (31.6 times larger at $t = 1$, see notebook 01); inside the root,
# $\epsilon$ competes with $\hat v$, not with $\sqrt{\hat v}$, so $\epsilon = 10^{-7}$ acts like $\sqrt{10^{-7}} \approx 3\times10^{-4}$ outside it. All three
# agree when $\sqrt{\hat v} \gg$ their effective $\epsilon$, and differ when the gradients are small. The cubic example, with the
# objective scaled down by $c$ (so the gradients are $c$ times smaller), $\epsilon = 10^{-7}$, 100 steps:

# %%
print(f"{'scale c':>8} " + "".join(f"{name:>30}" for name in update_rule.EPS_CONVENTIONS))
for c in (1.0, 1e-4, 1e-6, 1e-8):
    objective = functions.scaled(cubic, c)
    finals = [functions.run(update_rule.adam_with_convention(name, lr=0.05, eps=1e-7), objective, steps=100).params[-1, 0]
              for name in update_rule.EPS_CONVENTIONS]
    print(f"{c:>8g} " + "".join(f"{x:>30.6f}" for x in finals))
    if c == 1.0:
        full_scale_spread = max(finals) - min(finals)
print(f"at full scale the three agree to {full_scale_spread:.0e}")

# %% [markdown]
# At full scale the three agree to $3\times10^{-6}$. With gradients $10^4$ times smaller ($|g| \sim 10^{-4}$) ε inside the root
# has already stopped the run near the start ($x_{100} = 0.097$); at $10^{-6}$ the $\hat\epsilon$ form lags visibly. At $10^{-8}$, where
# $\sqrt{\hat v_t} \ll \epsilon$, all three crawl, each in its own way: Algorithm 1 steps by $\alpha\,\hat m_t/\epsilon$, gradient descent with momentum
# and learning rate $\alpha/\epsilon$; the $\hat\epsilon$ form by $\alpha\sqrt{1-\beta_2^t}\,\hat m_t/\hat\epsilon$, up to $\sqrt{1-\beta_2^{100}} = 0.31$ times less in the first
# 100 steps; inside the root by $\alpha\,\hat m_t/\sqrt\epsilon$, $\sqrt\epsilon \approx 3\times10^{-4}$ times less. Hence the three different $x_{100}$. At step 100:

# %%
objective = functions.scaled(cubic, 1e-8)
beta2, t, eps = 0.999, 100, 1e-7
approximations = {  # the step when √v̂ ≪ ε, from the run's own m̂_t
    update_rule.EPS_CONVENTIONS[0]: lambda m_hat: 0.05 * m_hat / eps,
    update_rule.EPS_CONVENTIONS[1]: lambda m_hat: 0.05 * np.sqrt(1 - beta2**t) * m_hat / eps,
    update_rule.EPS_CONVENTIONS[2]: lambda m_hat: 0.05 * m_hat / np.sqrt(eps),
}
print(f"√(1 − β2^100) = {np.sqrt(1 - beta2**t):.2f},  √ε = {np.sqrt(eps):.2g}")
for name, approximation in approximations.items():
    history = functions.run(update_rule.adam_with_convention(name, lr=0.05, eps=eps), objective, steps=t)
    state = history.states[t]
    print(f"{name:28} |Δ_100| = {abs(state.delta[0]):.3g}, approximation {abs(approximation(state.m_hat[0])):.3g};"
          f"  x_100 − x_0 = {history.params[t, 0] - history.params[0, 0]:.3g}")

# %% [markdown]
# So $\epsilon$ is not just "for numerical stability": it sets the gradient scale below which Adam
# stops adapting. That is why Keras's docstring suggests $\epsilon = 1$ or $0.1$ for some image models, and why
# copying hyper-parameters between libraries needs the conventions converted.
#
# ## Relatives as special cases (paper §5 and §7.1)
#
# **RMSProp** is Adam with $\beta_1 = 0$ (no momentum: $m_t = g_t$) and no bias correction. With $\beta_1 > 0$ and no bias
# correction, Adam is what the paper's §6.4 calls *RMSProp with momentum* (defined in notebook 03; the original, Graves's,
# puts the momentum on the rescaled gradient instead, so it is not quite the same).

# %%
rms = functions.run(RMSProp(lr=1e-3, rho=0.9), rosenbrock, steps=300).params
as_adam = functions.run(Adam(lr=1e-3, beta1=0.0, beta2=0.9, bias_correction=False), rosenbrock, steps=300).params
print("RMSProp vs Adam(β1=0, β2=ρ, no correction): largest difference", np.abs(rms - as_adam).max())

# %% [markdown]
# **AdaGrad** takes steps $\alpha\, g_t/\sqrt{\sum_{i\le t} g_i^2}$. Adam with $\beta_1 = 0$, $\beta_2 \to 1$ and a decaying $\alpha_t = \alpha/\sqrt t$ takes
# the same steps, *because of* bias correction: $\lim_{\beta_2\to1}\hat v_t = \frac1t\sum_i g_i^2$, so
# $\alpha_t\, g_t/\sqrt{\hat v_t} = \alpha\, g_t/\sqrt{\sum g_i^2}$. Without the correction, $\beta_2 \to 1$ makes $v_t \to 0$ and the steps infinite.
# On 200 noisy gradients (mean 1, standard deviation 2, seed 0):

# %%
gradients = np.random.default_rng(0).normal(1.0, 2.0, 200)
for beta2 in (0.99, 0.9999, 1 - 1e-8):
    adagrad_steps, adam_steps = update_rule.adagrad_limit(gradients, lr=0.1, beta2=beta2)
    print(f"β2 = 1 − {1 - beta2:.0e}: largest |Adam step − AdaGrad step| = {np.abs(adam_steps - adagrad_steps).max():.1e}")

# %% [markdown]
# **AdaMax** (§7.1) replaces the $L^2$ norm in $v_t$ by an $L^p$ norm, $v_t = \beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p$, and lets $p \to \infty$:
# $v_t^{1/p}$ tends to $u_t = \max(\beta_2 u_{t-1}, |g_t|)$, a decaying maximum that needs no bias correction. The same 200 gradients:

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
for p, shade in zip((1, 2, 4, 16, 64), (0.8, 0.65, 0.5, 0.35, 0.2)):
    ax.plot(update_rule.lp_moment(gradients, 0.99, p), color=str(shade), label=f"p = {p}: $v_t^{{1/p}}$")
ax.plot(update_rule.infinity_moment(gradients, 0.99), color=plots.color("AdaMax"), lw=2, label="p → ∞: u_t (AdaMax)")
ax.plot(np.abs(gradients), ".", color="0.6", markersize=3, label="|g_t|")
ax.set_xlabel("step t")
ax.set_ylabel("moment estimate")
ax.set_title("L^p moments of 200 noisy gradients (mean 1, sd 2, seed 0), β2 = 0.99")
ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.2))
plots.save(fig, "04_adamax_limit")
plt.show()

# %% [markdown]
# ## Sliders: what each hyper-parameter does
#
# Adam for 200 steps on a 2-D objective: the path over the contours, and each coordinate's $|\Delta_t|/\alpha$ on a log scale.
# Things to try:
# - drag **ε** up to $10^{-2}$ and beyond on Rosenbrock: when does it start to slow the steps? Switch the **ε convention**;
# - set **β1** to 0 (no momentum) and compare the steps per coordinate; then β1 = 0.99;
# - move **log10(1−β2)** to −4 and switch **bias correction** off: watch the first steps (notebook 03 explains);
# - pick the **saddle**: from a start near the ridge $y = 0$, how many steps does Adam need to escape?
# - raise **lr** until the path goes unstable; is the largest step still about α?
#
# (The picture below the sliders is a static snapshot at the default values, for readers without a kernel.)

# %% tags=["nbval-ignore-output"]
from adam_edu.lessons.update_rule.slider import UpdateRuleExperiment

experiment = UpdateRuleExperiment()
display(experiment.widget())
experiment.save("04_update_rule_sliders")
experiment.snapshot()

# %% [markdown]
# The same computation without the widget, at the default slider values, with its numbers checked by the tests:

# %%
default = functions.run(Adam(lr=0.05), rosenbrock, steps=200)
largest = np.abs(np.diff(default.params, axis=0)).max() / 0.05
print(f"Rosenbrock, Adam lr 0.05, 200 steps: f − f* = {default.values[-1]:.3f}, largest coordinate step / α = {largest:.3f}")

# %% [markdown]
# ## Summary
#
# - Adam moves each parameter by about $\alpha$ per step, whatever its gradient's scale: $\hat m_t/\sqrt{\hat v_t}$ is a signal-to-noise
#   ratio, usually at most about 1. Not always: a lone gradient after a long silence gives $\alpha(1-\beta_1)/\sqrt{1-\beta_2}$ ($3.16\alpha$
#   for the defaults), the paper's §2.1 bound; gradients growing by $\beta_2/\beta_1$ per step give more, up to
#   $\alpha(1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}$ ($7.27\alpha$ for the defaults), the true supremum.
# - Scaling the gradients does not change the path (up to ε); $\alpha$ is a trust region in parameter units.
# - $\epsilon$ sets the gradient scale below which Adam stops adapting, and libraries put it in three different places; convert
#   it when you move hyper-parameters between them.
# - RMSProp is Adam without momentum and without bias correction; AdaGrad is its $\beta_2 \to 1$, $\alpha/\sqrt t$ limit (thanks to the
#   correction); AdaMax is its $p \to \infty$ limit.
#
# ## Exercises
#
# **1.** Write one step of Algorithm 1. `t` is the number of steps taken *before* this one; return `(theta, m, v)`.

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.update_rule import exercises


def adam_update(theta, g, m, v, t, lr, beta1, beta2, eps):
    return None  # your code here


exercises.check_adam_update(adam_update)


# %% [markdown]
# **2.** The largest possible $|\Delta_t|$ at step $t$ for $\epsilon = 0$, over all gradient sequences, as a function of $\alpha$, $\beta_1$, $\beta_2$, $t$
# (the Cauchy–Schwarz argument above, with both bias corrections; at $t = 1$ it is $\alpha$).

# %%
def step_supremum(lr, beta1, beta2, t):
    return None  # your code here


exercises.check_step_supremum(step_supremum)


# %% [markdown]
# **3.** Which keyword arguments make `Adam(**kwargs)` follow exactly the path of `RMSProp(lr, rho, eps)`?

# %%
def rmsprop_as_adam(lr, rho, eps):
    return None  # your code here: a dict of Adam's keyword arguments


exercises.check_rmsprop_as_adam(rmsprop_as_adam)

# %% [markdown]
# Model answers: `show_solution(exercises.solution_adam_update)`, `show_solution(exercises.solution_step_supremum)`,
# `show_solution(exercises.solution_rmsprop_as_adam)`.
