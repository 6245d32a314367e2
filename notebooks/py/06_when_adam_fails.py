# %% [markdown]
# # 06 · When Adam fails
#
# Adam is the default optimizer of deep learning, and notebook 05 showed why: it works over a wide band of
# learning rates without much tuning. This notebook is about its limits, each shown by an experiment you can
# rerun and change: the convergence proof that turned out to be wrong and the three-line problem that shows it,
# what weight decay does inside Adam, why its first steps are unreliable, and what a bad learning rate or ε
# does. It ends with five popular claims about Adam and a verdict on each.
#
# **You will learn**
# - the counterexample of Reddi, Kale & Kumar (ICLR 2018): a convex problem on which Adam converges to the
#   *worst* point, and how AMSGrad's running maximum repairs it;
# - why Adam with an L2 term is not AdamW (Loshchilov & Hutter, ICLR 2019), on a problem where they end in
#   visibly different places;
# - why Adam's first steps are noisy and what RAdam's rectification and a learning-rate warm-up do about it;
# - what goes wrong with a learning rate too large, an ε too small and an ε too large;
# - which of five widely repeated claims about Adam hold, hold sometimes, or are wrong.

# %%
import matplotlib.pyplot as plt
import numpy as np

from adam_edu import Adam, AdamW, RAdam, plots
from adam_edu.lessons import failures, zoo
from adam_edu.tables import formatted, table
from adam_edu.functions import quadratic, reddi_counterexample
from adam_edu.plots import setup_notebook

setup_notebook()

# %% [markdown]
# ## 1. Adam can converge to the worst point: the counterexample of Reddi et al.
#
# Kingma & Ba's convergence theorem (their §4) rests on a step that assumes
# $\sqrt{\hat v_t}/\alpha_t$ never decreases. For SGD and AdaGrad it never does; for Adam, whose $v_t$ is a moving
# average that can shrink, it can. Reddi, Kale & Kumar built the smallest problem that exploits this: an online
# sequence of linear losses on the interval $[-1, 1]$,
#
# $$f_t(x) = \begin{cases} C\,x & \text{if } t \bmod 3 = 1,\\ -x & \text{otherwise,}\end{cases}\qquad C > 2 .$$
#
# Over each block of three steps the losses add up to $(C - 2)\,x$, so the best fixed point is $x = -1$ and
# $x = +1$ is the worst. With $\beta_1 = 0$ and $\beta_2 = 1/(1 + C^2)$ Adam is pushed up by the two small
# gradients more than it is pushed down by the large one: the large gradient also inflates $\hat v_t$, which divides
# it by almost $C$. The measure of success is the *average regret*
# $R_t/t = \frac1t\sum_{s\le t} f_s(x_{s-1}) - f_s(-1)$: it goes to 0 only if the algorithm does as well as the
# best fixed point.
#
# The paper states the example for any $C > 2$, with $\beta_1 = 0$, $\beta_2 = 1/(1 + C^2)$, the feasible set
# $[-1, 1]$ (a projection after each step) and step sizes $\alpha_t = \alpha/\sqrt{t}$. The numbers are ours: $C = 3$
# (so $\beta_2 = 0.1$), $\alpha = 0.1$, start $x = 1$, $T = 2\cdot10^5$ steps. `adam_edu`'s Adam keeps its bias
# correction and $\epsilon = 10^{-8}$; the paper's analysis has neither, which changes nothing here (tested). The
# optimizers take a constant learning rate, but their state is explicit, so `failures.run_online` sets
# `lr = α/√t` before each update. `failures.run_counterexample` is the same arithmetic in plain Python floats,
# without a NumPy call per operation and so many times faster. First, they agree to the last bit:

# %%
C, steps, alpha = 3.0, 200_000, 0.1
adam = Adam(beta1=0.0, beta2=1 / (1 + C**2))
amsgrad = Adam(beta1=0.0, beta2=1 / (1 + C**2), amsgrad=True)
problem = reddi_counterexample(C, -1.0, 3)
for optimizer in (adam, amsgrad):
    readable = failures.run_online(optimizer, problem, 3000, alpha)
    fast = failures.run_counterexample(optimizer, C, -1.0, 3, 3000, alpha)
    print(f"{plots.label(optimizer):8s} same numbers for 3000 steps: {np.array_equal(readable, fast)}")

# %%
trajectories = {o: failures.run_counterexample(o, C, -1.0, 3, steps, alpha) for o in (adam, amsgrad)}
for o, xs in trajectories.items():
    regret = failures.counterexample_regret(xs, C, -1.0, 3)
    print(f"{plots.label(o)}, α = {alpha:g}:  x_T = {xs[-1]:+.3f},  R_T/T = {regret[-1]:.3f}")
runs = {f"{plots.label(o)}, α = {alpha:g}": (plots.label(o), "-", xs) for o, xs in trajectories.items()}
fig = failures.plot_counterexample(
    runs, C, -1.0, 3,
    f"f_t(x) = 3x if t mod 3 = 1, else −x, on [−1, 1]; β1 = 0, β2 = 0.1, α_t = {alpha:g}/√t, x_1 = 1, "
    f"{steps:,} steps (projected)")
plots.save(fig, "06_reddi_counterexample")
plt.show()

# %% [markdown]
# As the paper says: Adam ends at $x = +1$, the worst point, with average regret $0.667 = 2(C - 2)/3$, the regret
# of sitting at $+1$ for ever; AMSGrad, which divides by the running *maximum* of $v_t$, ends at $x = -1$ with
# $R_T/T \to 0$. The same happens for $\alpha = 0.05$ and $0.2$ (tested).
#
# The running maximum never shrinks, so in Reddi et al.'s Algorithm 2, which has no bias correction, the effective
# step $\alpha_t/\sqrt{\hat v_t}$ never grows when $\alpha_t$ does not. `adam_edu`'s AMSGrad, like PyTorch's and Keras's,
# divides the maximum by $1 - \beta_2^t$, and then $\alpha/\sqrt{\hat v_t}$ *can* grow while the maximum stays put. One
# large gradient, $g_1 = 1$, then small ones, $g_t = 10^{-3}$ (constant $\alpha$, $\epsilon = 0$, the defaults' $\beta_2 = 0.999$):
#

# %%
gradients = [1.0] + [1e-3] * 2999  # the maximum of v_t is (1 − β2)·1 from step 1 on
shown_t = (1, 10, 100, 1000, 3000)
for bias_correction in (True, False):
    optimizer = Adam(1.0, eps=0.0, amsgrad=True, bias_correction=bias_correction)
    theta, state, sizes = np.zeros(1), optimizer.init(np.zeros(1)), []
    for t, g in enumerate(gradients, start=1):
        theta, state = optimizer.update(theta, np.array([g]), state)
        if t in shown_t:
            sizes.append(f"{1 / np.sqrt(state.v_hat[0]):.1f}")
    print(f"bias_correction={bias_correction!s:5}  α/√v̂_t ÷ α at t = {shown_t}: {', '.join(sizes)}")

# %% [markdown]
# The bias-corrected step starts at $\alpha$ and grows towards the uncorrected one as $1 - \beta_2^t \to 1$. The
# guarantee that the effective step never grows is a property of Algorithm 2 with a non-increasing $\alpha_t$, not of
# every AMSGrad.
#
# ### The once-in-101-steps version (the paper's §5)
#
# The paper's synthetic experiment is milder-looking: $f_t(x) = 1010\,x$ once every 101 steps and $-10\,x$
# otherwise, with the usual $\beta_1 = 0.9$, $\beta_2 = 0.99$. The paper does not state its $\alpha$. Here are Adam and
# AMSGrad with $\alpha_t = \alpha/\sqrt t$ for a few values of $\alpha$, and AMSGrad in two versions: `adam_edu`'s (like
# PyTorch's, it bias-corrects the maximum of $v_t$) and the paper's own Algorithm 2, which has no bias
# correction (`Adam(..., amsgrad=True, bias_correction=False)`).

# %%
big, small, period = 1010.0, -10.0, 101
reddi = Adam(beta1=0.9, beta2=0.99, amsgrad=True, bias_correction=False)  # the paper's Algorithm 2
versions = {"Adam": Adam(beta1=0.9, beta2=0.99), "AMSGrad": Adam(beta1=0.9, beta2=0.99, amsgrad=True),
            "AMSGrad, no bias correction (Reddi's Alg. 2)": reddi}
alphas = (0.01, 0.1, 0.5, 1.0)
finals = {name: [failures.run_counterexample(o, big, small, period, steps, a)[-1] for a in alphas]
          for name, o in versions.items()}
print(f"x after {steps:,} steps, α_t = α/√t")
print(table(["", *(f"α = {a:g}" for a in alphas)],
            [[name, *(f"{x:+.3f}" for x in xs)] for name, xs in finals.items()]))

# %%
shown = {  # legend: (palette label, line style, optimizer, α)
    "Adam, α = 0.5": ("Adam", "-", versions["Adam"], 0.5),
    "AMSGrad, α = 0.5": ("AMSGrad", "-", versions["AMSGrad"], 0.5),
    "AMSGrad, α = 1": ("AMSGrad", "--", versions["AMSGrad"], 1.0),
    "AMSGrad without bias correction (Reddi's Alg. 2), α = 0.5": ("AMSGrad", ":", reddi, 0.5),
}
runs = {text: (name, style, failures.run_counterexample(o, big, small, period, steps, a))
        for text, (name, style, o, a) in shown.items()}
first = np.flatnonzero(runs["AMSGrad without bias correction (Reddi's Alg. 2), α = 0.5"][2] <= -0.999)[0]
print(f"Reddi's AMSGrad, α = 0.5, first reaches x ≤ −0.999 at step {first:,}")
fig = failures.plot_counterexample(
    runs, big, small, period, f"f_t(x) = 1010x if t mod 101 = 1, else −10x, on [−1, 1]; β1 = 0.9, β2 = 0.99, "
    f"α_t = α/√t, x_1 = 1, {steps:,} steps (projected)")
plots.save(fig, "06_reddi_synthetic")
plt.show()


# %% [markdown]
# Adam again ends near $+1$ whatever $\alpha$. AMSGrad heads for $-1$, but slowly: the rare large gradient keeps its
# $\hat v$ at about $0.01 \cdot 1010^2$, so its steps are tiny. **Not quite as usually reported:** simulations of this
# problem (our own reference notes among them, and the usual demo setting "α ≈ 0.5") put AMSGrad at $-1$ for
# $\alpha = 0.5$ after $2\cdot10^5$ steps, and still drifting at $0.96$ and $0.59$ for $\alpha = 0.01$ and $0.1$. We reproduce
# exactly those numbers, but only with the paper's Algorithm 2 (no bias correction; it reaches $x \le -0.999$ at step 147,179). `adam_edu`'s AMSGrad, which like
# PyTorch's divides the maximum of $v_t$ by $1 - \beta_2^t$, takes smaller steps in the first few hundred steps, just
# when $\alpha/\sqrt t$ is largest, and never catches up: at $\alpha = 0.5$ it is at $-0.54$ after $2\cdot10^5$ steps. It
# needs $\alpha = 1$ to get to $-1$. Either way the lesson holds: Adam goes to the worst point, AMSGrad to the best.

# %% [markdown]
# ## 2. Adam with L2 is not AdamW
#
# An L2 penalty $\frac\lambda2\lVert\theta\rVert^2$ adds $\lambda\theta$ to the gradient. With SGD that is the same as
# shrinking the weights by $\alpha\lambda$ each step ("weight decay"). With Adam it is not: Adam divides the whole
# gradient, $\lambda\theta$ included, by $\sqrt{\hat v_t}$, so a weight with large gradients is barely decayed and a
# weight with small gradients is decayed a lot. AdamW (Loshchilov & Hutter, ICLR 2019) takes the decay out of Adam.
# Their Algorithm 2 writes
#
# $$\theta_t = \theta_{t-1} - \eta_t\Big(\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\,\theta_{t-1}\Big),$$
#
# with $\eta_t$ a schedule multiplier (1 without a schedule): the decay is not multiplied by $\alpha$. PyTorch, Keras, Optax
# and `adam_edu` multiply it by the learning rate,
# $\theta_t = \theta_{t-1} - \alpha\lambda\,\theta_{t-1} - \alpha\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)$: the same step, with
# the paper's $\lambda$ equal to $\alpha$ times theirs. Either way the decay is not divided by $\sqrt{\hat v_t}$. In code the two
# methods are one Adam step (Algorithm 1) and one line each:

# %%
def adam_step(theta, g, m, v, t, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - alpha * m_hat / (np.sqrt(v_hat) + eps), m, v


alpha, lam = 0.01, 0.1
for optimizer in (Adam(alpha, weight_decay=lam), AdamW(alpha, weight_decay=lam)):
    theta, m, v = np.ones(6), np.zeros(6), np.zeros(6)  # the experiment below: 6 weights, 3000 steps
    for t in range(1, 3001):
        g = failures.CURVATURES * (theta - 1.0)  # the loss gradient
        if isinstance(optimizer, AdamW):
            theta = theta * (1 - alpha * lam)  # AdamW: shrink θ outside Adam
        else:
            g = g + lam * theta  # Adam + L2: the decay joins the gradient, and is divided by √v̂
        theta, m, v = adam_step(theta, g, m, v, t, alpha)
    same = np.array_equal(theta, failures.weight_decay_endpoints(optimizer)[0])
    print(f"{plots.label(optimizer):9s} these lines and adam_edu end at the same θ to the last bit: {same}")

# %% [markdown]
# The experiment: six weights, each with its own quadratic loss $h_i(\theta_i - 1)^2/2$, curvatures $h_i$ from
# $10^{-3}$ to $100$ (so gradient sizes differing by $10^5$), starting at the loss's minimum $\theta = 1$; full-batch
# gradients; lr 0.01, 3000 steps; the same $\lambda$ for both (`Adam(weight_decay=λ)` and `AdamW(weight_decay=λ)`:
# for SGD these two would be the same update).

# %%
for lam in (0.1, 1.0):
    rows = []
    for optimizer in (Adam(0.01, weight_decay=lam), AdamW(0.01, weight_decay=lam)):
        theta, _ = failures.weight_decay_endpoints(optimizer)
        rows.append([plots.label(optimizer), *(f"{x:.3f}" for x in theta)])
    rows.append(["L2 solution h/(h+λ)", *(f"{h / (h + lam):.3f}" for h in failures.CURVATURES)])
    print(f"λ = {lam:g}: θ_i after 3000 steps")
    print(table(["", *(f"h = {h:g}" for h in failures.CURVATURES)], rows), end="\n\n")

# %%
decay_runs = failures.weight_decay_runs()
fig = failures.plot_weight_decay(decay_runs)
plots.save(fig, "06_adamw_vs_l2")
plt.show()
for lam in (0.1, 1.0):
    adamw_end, _ = failures.weight_decay_endpoints(AdamW(0.01, weight_decay=lam))
    l2 = Adam(0.01, weight_decay=lam)
    _, first = failures.weight_decay_endpoints(l2, steps=1)
    share = failures.effective_decay(l2, first)[0] / (0.01 * lam)
    print(f"λ = {lam:g}: AdamW's weights at most {(1 - adamw_end).max():.1%} below 1;  step 1, Adam + L2's decay "
          f"share ÷ AdamW's αλ = {share.min():.2f} (every weight)")

# %% [markdown]
# They end in visibly different places. **Adam + L2** converges to the solution of the L2-regularised problem,
# $\theta_i = h_i/(h_i + \lambda)$: the $\lambda\theta$ term passes through the same $1/\sqrt{\hat v}$ as the loss gradient,
# and at a fixed point the two must cancel. Weights whose loss is flat ($h \ll \lambda$) go to 0. **AdamW** decays every
# weight by the same fraction $\alpha\lambda$ per step (right panel, flat line), and the Adam step that opposes it has
# size about $\alpha$ for every weight *whatever its gradient scale*: the balance point is the same for all six weights,
# within 0.1% (λ = 0.1) and 1.2% (λ = 1) of the unregularised minimum. The right panel shows the rescaling directly: the share of each
# weight removed per step by the decay term, $\alpha\lambda/(\sqrt{\hat v_i} + \epsilon)$ under Adam + L2 (different for
# each weight, ten times AdamW's $\alpha\lambda$ at step 1, where $\hat v = (\lambda\theta)^2$ and λ cancels), $\alpha\lambda$ under AdamW.
#
# Which is "right" depends on what you want: AdamW does not solve the L2 problem, and with full-batch gradients and
# a small $\lambda$ it hardly regularises at all; with noisy minibatch gradients $\sqrt{\hat v}$ includes the noise and the
# balance shifts. Loshchilov & Hutter found AdamW generalising better on image classification and, above all, its best
# $\lambda$ independent of the learning rate $\alpha$: their $\lambda$, which is not multiplied by $\alpha$. With the
# library coupling the decay per step is $\alpha\lambda$, so there it is the product $\alpha\lambda$, not `weight_decay`,
# that one can keep when changing the learning rate. The point here is only that the two are different algorithms.
#
# ## 3. The first steps: RAdam and warm-up
#
# At step $t$, $\hat v_t$ averages only about $t$ squared gradients, so the adaptive factor $\psi_t = 1/(\sqrt{\hat v_t} +
# \epsilon)$ is a noisy estimate early on: at $t = 1$ it is $1/|g_1|$, whose variance is infinite for a Gaussian
# gradient. Liu et al. (ICLR 2020) trace the need for learning-rate warm-up to this, and RAdam *rectifies* it. An exponential
# average with decay $\beta_2$ is worth a simple average of $\rho_\infty = 2/(1 - \beta_2) - 1$ terms in the long run, and at
# step $t$ of
#
# $$\rho_t = \rho_\infty - \frac{2t\,\beta_2^t}{1 - \beta_2^t}\qquad(\rho_t \approx t \text{ early on}).$$
#
# The variance of $\psi_t$ is finite once $\rho_t > 4$, and from there RAdam multiplies Adam's step by
#
# $$r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}} < 1,$$
#
# chosen so that the variance of $r_t\psi_t$ is that of $\psi_\infty$. Before, it takes plain momentum steps,
# $\theta \leftarrow \theta - \alpha\hat m_t$. The paper rectifies as soon as $\rho_t > 4$; PyTorch, whose rule `adam_edu` follows,
# waits for $\rho_t > 5$, a safety margin: with $\beta_2 = 0.999$ that is step 6 instead of 5 (the $\rho_t$ column below).
# The experiment: 20 000 independent coordinates, each fed pure-noise gradients $g \sim N(0, 1)$ (seed 0),
# the same gradients for Adam, RAdam and Adam with a linear warm-up over 100 steps.

# %%
early = failures.early_adaptive_steps()
rho_infinity = 2 / (1 - RAdam().beta2) - 1
spread = early.psi.std(axis=1)
rectified = early.rectification * spread  # nan while RAdam takes SGD steps
rows = [[t, f"{RAdam().rho(t):.4f}", f"{spread[t - 1]:.3g}", formatted(early.rectification[t - 1], ".3f"),
         formatted(rectified[t - 1], ".4f")] for t in (1, 2, 3, 4, 5, 6, 10, 50, 200)]
print(table(["t", "ρ_t", "std of ψ_t (Adam)", "r_t", "r_t · std of ψ_t"], rows))
print(f"\nρ_∞ = {rho_infinity:g};  limit 1/√(2ρ_∞) = {1 / np.sqrt(2 * rho_infinity):.4f}")
fig = failures.plot_early_steps(early, rho_infinity)
plots.save(fig, "06_radam_early_steps")
plt.show()

# %% [markdown]
# The spread of Adam's $\psi_t$ falls from 137 at $t = 1$ (dominated by the sample's largest $1/|g|$) to 0.05 at
# $t = 200$; $r_t\psi_t$ stays between 0.011 and 0.016 from the first rectified step on, close to its limit 0.0158: the
# rectification does what it was designed to do. The right panel shows the cost: Adam's first step is $\pm\alpha$ in
# *every* coordinate, pure noise or not (it is $\alpha\,g_1/(|g_1| + \epsilon)$), and its steps stay large for tens of
# steps; RAdam's first five steps are momentum-SGD steps whose size is that of the gradient (here of order 1, like
# Adam's, but on Rosenbrock's steep start in notebook 05 they threw RAdam out of the window), and then it creeps; a warm-up
# simply makes the early steps small by decree. Both remedies trade early progress for safety.
#
# ## 4. Learning rate too large, ε too small, ε too large
#
# One setting changed at a time, $\beta_1 = 0.9$ and $\beta_2 = 0.999$ throughout; each panel has its own learning rate:
# - **lr too large**: the cubic of notebook 01, $x^3 - 2x^2 + 2$ from $x_0 = 0.001$, $\epsilon = 10^{-8}$ and the learning rate
#   varied. Adam's first step is about lr, whatever the gradient. With lr 2 it goes the right way, downhill, but
#   overshoots the local minimum at $4/3$ and lands at $x = 2.001$; the way back overshoots too, over the local maximum at 0
#   at step 3, into the region where $f \to -\infty$. There it slides away with steps that end at 1.6 to 1.7 times lr:
#   the gradients keep growing, and $\hat m_t$ follows them faster than $\sqrt{\hat v_t}$, which averages over a longer past.
# - **ε too small**: a weight the loss does not depend on, whose gradient is round-off noise of size $10^{-12}$
#   (seed 0), lr 0.01. Adam divides that noise by its own RMS: with $\epsilon \le 10^{-12}$ every step is a sizeable
#   fraction of $\alpha$ in a random direction. The default $10^{-8}$ keeps such weights still.
# - **ε too large**: the quadratic of notebook 05 at its tuned lr 0.3. Once $\epsilon \gg \sqrt{\hat v}$, Adam is SGD with
#   learning rate $\alpha/\epsilon$.

# %%
wrong = failures.what_goes_wrong()
fig = failures.plot_failures(wrong)
plots.save(fig, "06_lr_and_eps")
plt.show()
for lr in (0.05, 0.5, 1.0, 1.5, 2.0):
    print(f"cubic, lr {lr:g}: x after 60 steps = {failures.steps_on_the_cubic(lr)[-1]:+.3f}")
xs = failures.steps_on_the_cubic(2.0)
last = np.abs(np.diff(xs[-11:])) / 2.0
print(f"cubic, lr 2: x_1 = {xs[1]:.3f}, first x < 0 at step {np.flatnonzero(xs < 0)[0]}, "
      f"the last 10 steps {last.min():.1f} to {last.max():.1f} × lr")
for eps in (1e-8, 1e-12, 0.0):
    print(f"round-off weight, ε = {eps:g}: |θ| after 1000 steps = {abs(failures.round_off_walk(eps)[-1]):.1e}")
for eps in (1e-8, 1.0, 10.0, 100.0):
    settled = zoo.settling_step(failures.eps_slowdown(eps), 1e-6)
    print(f"quadratic, ε = {eps:g}: f − f* < 1e-6 for good from step {formatted(settled, 'd')} (— = not in 500)")
start_gradient = np.abs(quadratic.grad(np.array(quadratic.start)))
for eps in (1.0, 100.0):
    print(f"quadratic, ε = {eps:g}: ε/|g| at the start = {eps / start_gradient.max():.2g} to "
          f"{eps / start_gradient.min():.2g}  (|g| = {start_gradient.min():g} and {start_gradient.max():g})")
print(f"ε = 100 at lr 0.3: SGD with lr α/ε = {0.3 / 100:g};  ε = 1e-8 against gradients of 1e-6: ε/|g| = {1e-8 / 1e-6:.2g}")

# %% [markdown]
# The learning rate that breaks Adam on the cubic lies between 1.5 and 2: below it Adam still settles at $4/3$, above
# it Adam's bounded step is exactly what carries it over the hill and on for ever. A gradient of $10^{-12}$ moves a
# weight by $0.45$ in 1000 steps when $\epsilon = 0$, and by $4.6\cdot10^{-5}$ with the default. On the quadratic, whose
# gradient at the start is 4 in x and 37.5 in y, $\epsilon = 1$ (0.027 to 0.25 of those) hardly matters (155 steps instead
# of 162); $\epsilon = 100$, 2.7 to 25 times the gradients, turns Adam into SGD with learning rate $0.3/100 = 0.003$, and
# 500 steps are not enough. What counts is ε compared with the size of the gradients, $\epsilon/|g|$: the default
# $\epsilon = 10^{-8}$ in a model whose gradients are $10^{-6}$ is $\epsilon/|g| = 0.01$, less than $\epsilon = 1$ is here,
# and harmless; only an $\epsilon/|g|$ of order 1 and above, as $\epsilon = 100$ is here, turns Adam into slow SGD.
#
# ## 5. The popular claims, tested
#
# A widely read introduction to Adam says that it **(a)** adapts a learning rate per parameter, **(b)** reduces gradient
# noise by keeping the first two moments, **(c)** is robust to noisy gradients and sidesteps local minima and saddle
# points where SGD gets stuck, **(d)** is memory-efficient, needing less memory than AdaGrad and RMSProp, and **(e)**
# tends to converge faster. Notebook 05 tested (a), (e) and the saddle and local-minimum half of (c). Here are (b),
# the noise half of (c), and (d).
#
# ### (b) "Reduces gradient noise by keeping the first two moments"
#
# Twenty thousand coordinates fed $g_t = 1 + 3\xi_t$, $\xi_t \sim N(0, 1)$ (seed 0), into Adam and into SGD with momentum
# 0.9; the spread across coordinates after 300 steps:

# %%
stats = failures.noise_averaging()
print(f"std of g_t                          {stats.gradient_std:.3f}")
ratio = stats.m_hat_std / stats.gradient_std
print(f"std of Adam's m̂_t                   {stats.m_hat_std:.3f}   (ratio {ratio:.3f}; √((1−β1)/(1+β1)) = "
      f"{np.sqrt(0.1 / 1.9):.3f})")
print(f"std of momentum's (1−μ)·b_t         {stats.momentum_std:.3f}")
print(f"mean of Adam's v̂_t                  {stats.v_hat_mean:.2f}   (E[g²] = 1 + 9 = 10)")
print(f"mean step −Δ_t/α                    {stats.mean_step:.3f}   (1/√10 = {1 / np.sqrt(10):.3f})")

# %% [markdown]
# The first moment is a moving average and cuts the noise's standard deviation by $\sqrt{(1-\beta_1)/(1+\beta_1)} = 0.229$
# (for $\beta_1 = 0.9$), exactly as SGD's momentum buffer does: that part is true, and not specific to Adam. The second
# moment reduces no noise at all: $\hat v_t$ estimates $E[g^2]$ = signal² + noise², and dividing by its root makes the
# mean step $\mu/\sqrt{\mu^2 + \sigma^2}$: *smaller* when the gradients are noisier (the "signal-to-noise ratio" of the
# paper's §2.1). That is a useful automatic caution, but it is not noise reduction.
#
# ### (c), first half: "robust to noisy gradients"
#
# The quadratic of notebook 05 with gradient noise of standard deviation σ added to each coordinate, each optimizer at
# the learning rate the grid search chose for the noise-free quadratic; the mean $f - f^*$ over the last 200 of 1000
# steps, averaged over 200 runs (seed 0):

# %%
tuned = zoo.tune(quadratic, ("SGD", "Momentum", "RMSProp", "Adam"))  # noise-free, the rule of notebook 05
noisy = {name: search.best for name, search in tuned.items()}
study = failures.noise_study(noisy)
fig = failures.plot_noise(study)
floors = study.floors
plots.save(fig, "06_noise")
plt.show()
print(table(["optimizer", *(f"σ = {s:g}" for s in (0.1, 1.0, 10.0, 100.0))],
            [[name, *(f"{v:.2g}" for v in values)] for name, values in floors.items()]))
sgd, adam = list(floors["SGD"]), list(floors["Adam"])
print(f"\nAdam's floor: {adam[0] / sgd[0]:.2g} times SGD's at σ = 0.1, {sgd[-1] / adam[-1]:.2g} times lower at σ = 100")

# %% [markdown]
# No optimizer converges with noisy gradients and a constant learning rate: each hovers at a noise floor. SGD's floor
# grows like $\sigma^2$ (its steps are proportional to the noise); Adam's grows more slowly, roughly like $\sigma$ once
# the noise dominates, because $\sqrt{\hat v}$ grows with the noise and shrinks the steps. So at $\sigma = 100$ Adam's floor is 13 times lower than SGD's, at
# $\sigma = 0.1$ it is 16 times higher. Robust to the *scale* of the noise, yes; better with little noise, no; and it
# needs a decreasing learning rate to converge, like everyone else.
#
# ### (d) "Memory-efficient, needing less memory than AdaGrad and RMSProp"
#
# Counted from the state each optimizer's `init` returns: the arrays of the parameters' size it keeps between steps.

# %%
buffers = {plots.label(make(1.0)): failures.buffers_per_parameter(make(1.0)) for make in zoo.ZOO}
print(table(["optimizer", "buffers per parameter", "memory for 10⁸ float32 parameters + buffers"],
            [[name, n, f"{(1 + n) * 4e8 / 1e9:.1f} GB"] for name, n in buffers.items()]))

# %% [markdown]
# Adam keeps two buffers per parameter ($m$ and $v$), AdaGrad and RMSProp one (the sum or the average of squared
# gradients), so Adam needs **more** memory than both; AMSGrad needs a third. The claim is wrong. (What is true: Adam's
# memory is a constant number of vectors, unlike full-matrix AdaGrad or second-order methods that store a matrix per
# layer.)
#
# ### The verdicts
#
# | claim | verdict | the experiment |
# |---|---|---|
# | (a) adapts a learning rate per parameter | **holds**, per coordinate only | 05: α/(√v̂+ε) differs 7.6× between x and y of the quadratic, and not at all when the quadratic is turned 45°; AdaGrad and RMSProp lose their advantage (10 → 154, 42 → 404 steps) |
# | (b) reduces gradient noise by keeping two moments | **partly** | here: m̂ cuts the noise's std by 0.229, exactly like SGD's momentum; v̂ reduces no noise, it shrinks the step to μ/√(μ²+σ²) |
# | (c) robust to noise, sidesteps local minima and saddles | **sometimes** | 05: escapes the saddle in 44 steps where SGD needs more than 500 at the same lr, but not from y = 0 exactly; ends in the global minimum of the double well at 2 of 10 learning rates, SGD at 1, Momentum at 3. Here: noise floor roughly ∝ σ instead of σ², but no convergence |
# | (d) needs less memory than AdaGrad and RMSProp | **wrong** | here: 2 buffers per parameter against 1 (AMSGrad 3) |
# | (e) tends to converge faster | **sometimes** | 05: fastest of 12 on Rosenbrock and Beale, 7th on the quadratic, 8th on the saddle, at tuned learning rates |
#
# ## Summary
#
# - On Reddi et al.'s problem Adam converges to the worst point, $x = +1$, with average regret $2(C-2)/3$; AMSGrad goes
#   to the best. In the once-in-101-steps version our AMSGrad (bias-corrected maximum, as PyTorch) needs $\alpha = 1$ where
#   the paper's own Algorithm 2 gets there with $\alpha = 0.5$.
# - Adam + L2 solves the L2-regularised problem; AdamW decays every weight alike and does not: they end in different
#   places because the L2 term is divided by $\sqrt{\hat v}$ and decoupled decay is not.
# - Adam's early adaptive factor has a huge variance (infinite at $t = 1$); RAdam's $r_t$ brings it to its long-run level,
#   warm-up hides it by small early learning rates.
# - Too large a learning rate carries Adam's bounded steps over a hill; too small an ε turns round-off noise into full
#   steps; too large an ε turns Adam into slow SGD.
# - Of five popular claims, one is wrong (memory), one holds (per-parameter step sizes, along the axes), three hold
#   only sometimes or in part.
#
# ## Exercises
#
# Fill in each function and run its cell: the check says whether it is right and, if not, what is likely wrong.
# `show_solution(exercises.solution_...)` prints a model answer.
#
# **1.** Write the average regret $R_t/t$ for the linear losses $f_t(x) = c_t\,x$: given $x_0 \dots x_T$ and the slopes
# $c_1 \dots c_T$, return an array of $T$ values, compared with the best fixed point $x = -1$.

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.failures import exercises


def average_regret(xs, coefficients):
    return None  # your code here


exercises.check_average_regret(average_regret)


# %% [markdown]
# **2.** Write one AdamW step (β = (0.9, 0.999), ε = 1e-8): given the weights `theta`, a gradient `g` and Adam's
# buffers `m`, `v` after `t` steps, return the weights after step $t + 1$, in PyTorch's coupling,
# $\theta \leftarrow \theta - \alpha\lambda\theta - \alpha\,\hat m/(\sqrt{\hat v} + \epsilon)$ (the decay times the learning rate).
# The check compares with `adam_edu.AdamW`
# and knows the usual mistakes.

# %%
def adamw_update(theta, g, m, v, t, lr, weight_decay):
    return None  # your code here


exercises.check_adamw_update(adamw_update)


# %% [markdown]
# **3.** Claim (d) in code: how many arrays of the parameters' size does an optimizer keep? Count them in the state
# `optimizer.init(params)` returns.

# %%
def buffers_per_parameter(optimizer):
    return None  # your code here


exercises.check_buffers_per_parameter(buffers_per_parameter)
