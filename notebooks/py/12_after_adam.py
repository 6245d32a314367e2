# %% [markdown]
# # 12 · After Adam: Adafactor, Lion, schedule-free AdamW and Muon
#
# Adam is still the default, but the optimizers people reach for today were built to fix what Adam costs or
# assumes: its memory (two numbers per weight), its need for a learning-rate schedule, and its treatment of a
# weight matrix as a bag of unrelated numbers. This notebook puts four of them beside the papers that introduced
# them, checks each against the code that defines it in `adam_edu.optimizers`, and races them with Adam and
# AdamW under the rules of notebook 05. The code of the races and the memory table is `adam_edu/lessons/after_adam/`.
#
# **You will learn**
# - how much memory each optimizer of `adam_edu` keeps per parameter, measured from its state arrays, and what
#   that says about the claim that "Adam is memory-efficient compared with AdaGrad and RMSProp";
# - Adafactor's factored second moment (a row and a column average instead of a full matrix) and its relative step;
# - Lion's sign update, one buffer and the same step for every coordinate;
# - schedule-free AdamW's averaging in place of a learning-rate schedule, and where to evaluate its model;
# - Muon's orthogonalised momentum: a Newton–Schulz iteration that makes every direction of a matrix update the
#   same size;
# - how they fare against Adam and AdamW on notebook 05's landscapes and notebook 08's network, over seeds.
#
# Read 01–05 first; 08 for the network.

# %%
import matplotlib.pyplot as plt
import numpy as np

from adam_edu import optimizers
from adam_edu.functions import beale, quadratic, rosenbrock
from adam_edu.lessons import after_adam, zoo
from adam_edu.optimizers import Adafactor, Adam, AdamW, Lion, Muon, ScheduleFreeAdamW, newton_schulz
from adam_edu.plots import save, setup_notebook
from adam_edu.tables import formatted, table

setup_notebook()

# %% [markdown]
# ## 1 · Memory: how many bytes of state per parameter?
#
# An optimizer's memory is its state: the arrays it keeps from one step to the next. `after_adam.state_bytes`
# adds up the `nbytes` of every array that `init` returns (the per-step diagnostics that `update` also reports are
# not kept, so they are not counted). Measured on the paper's Figure 2 network, 784-1000-1000-10 in float32, as
# it would be trained:

# %%
params = after_adam.network_shapes()
count = sum(a.size for a in params.values())
print(f"MLP {'-'.join(map(str, after_adam.PAPER_NETWORK))}: {count:,} parameters (float32), "
      f"{sum(a.nbytes for a in params.values()) / 2**20:.2f} MiB")
rows = after_adam.memory_table(params)
print(table(["optimizer", "state arrays", "bytes/parameter", "× Adam"],
            [[r.label, ", ".join(r.buffers), f"{r.bytes_per_parameter:.3f}", f"{r.relative_to_adam:.3f}"]
             for r in rows]))

# %% [markdown]
# Buffers listed but not allocated (Adam's `v_max` without AMSGrad, RMSProp's `g_avg` and `b` when it is neither
# centred nor with momentum, Adafactor's `v` for matrices) cost nothing: they are `None`. Now the claim of the
# article this collection started from:

# %%
by_label = {r.label: r.bytes_per_parameter for r in rows}
for other in ("AdaGrad", "RMSProp"):
    held = by_label["Adam"] < by_label[other]
    print(f"Adam {by_label['Adam']:.0f} B/parameter, {other} {by_label[other]:.0f}: "
          f"'Adam is memory-efficient compared with {other}' {'held' if held else 'did not hold'}")
print(f"Adafactor (no first moment): {by_label['Adafactor']:.4f} B/parameter, "
      f"{by_label['Adam'] / by_label['Adafactor']:.0f} times less than Adam")

# %% [markdown]
# Adam keeps two numbers per weight, $m$ and $v$; AdaGrad and RMSProp keep one. Adam is efficient in *compute*
# (a few element-wise operations per step, no second derivatives), not in memory. The optimizers that really save
# memory came after it: Adafactor stores a row and a column of averages for each matrix, Lion and Muon one buffer
# (Muon's vectors take Adam's two, a small share of the network). Schedule-free AdamW keeps two, as Adam does.

# %% [markdown]
# ## 2 · Adafactor (Shazeer & Stern, 2018)
#
# The paper's Algorithm 4 (a matrix $X$ of $n \times m$, no first moment), with its defaults:
#
# $$\rho_t = \min(\text{lr}, 1/\sqrt t),\qquad \alpha_t = \max(\epsilon_2, \mathrm{RMS}(X_{t-1}))\,\rho_t,\qquad
# \hat\beta_{2t} = 1 - t^{\tau}$$
# $$R_t = \hat\beta_{2t} R_{t-1} + (1-\hat\beta_{2t})\,\mathrm{mean}_\text{cols}(G_t^2 + \epsilon_1),\qquad
# C_t = \hat\beta_{2t} C_{t-1} + (1-\hat\beta_{2t})\,\mathrm{mean}_\text{rows}(G_t^2 + \epsilon_1)$$
# $$\hat V_t = R_t C_t / \mathrm{mean}(R_t),\qquad U_t = G_t/\sqrt{\hat V_t},\qquad
# \hat U_t = U_t / \max(1, \mathrm{RMS}(U_t)/d),\qquad X_t = X_{t-1} - \alpha_t \hat U_t$$
#
# Three ideas: the second moment of a matrix is estimated by a rank-one product of its row and column averages;
# the step is *relative* to the size of the weights ($\alpha_t$ scales with $\mathrm{RMS}(X)$); and an update whose
# RMS exceeds $d$ is scaled down. $\hat\beta_{21} = 0$, so no bias correction is needed. The lines in NumPy, for
# three steps on a random 4×3 matrix, beside the library:

# %%
opt = Adafactor()
print(repr(opt))
rng = np.random.default_rng(0)
X, R, C = rng.normal(size=(4, 3)), np.zeros(4), np.zeros(3)
library_X, state = X.copy(), opt.init(X)
for t in range(1, 4):
    G = rng.normal(size=(4, 3))
    rho = min(opt.lr, 1.0 / np.sqrt(t))
    alpha = max(opt.eps2, float(np.sqrt(np.mean(np.square(X))))) * rho
    beta2_t = 1.0 - t**opt.beta2_decay
    G2 = G**2 + opt.eps1
    R = beta2_t * R + (1 - beta2_t) * G2.mean(axis=-1)
    C = beta2_t * C + (1 - beta2_t) * G2.mean(axis=-2)
    V_hat = (R / R.mean(axis=-1, keepdims=True))[:, None] * C[None, :]
    U = G / np.sqrt(V_hat)
    U_hat = U / max(1.0, float(np.sqrt(np.mean(np.square(U)))) / opt.clip_threshold)
    X = X - alpha * U_hat
    library_X, state = opt.update(library_X, G, state)
assert np.array_equal(X, library_X) and np.array_equal(R, state.r) and np.array_equal(C, state.c)
print("NumPy lines == Adafactor.update, to the last bit, after 3 steps")
print("state kept:", {name: getattr(state, name).shape if getattr(state, name) is not None else None
                      for name in opt.slots}, "for a 4×3 matrix")

# %% [markdown]
# How good is the rank-one estimate? For a gradient whose squares are themselves a rank-one table it is exact;
# for noise it is the best such product of row and column averages. The ratio $\hat V/G^2$ after the first step:

# %%
a_times_b = np.outer([1.0, 2.0, 3.0], [0.5, -1.0])
exact = Adafactor(eps1=0.0)
_, rank_one = exact.update(np.ones((3, 2)), a_times_b, exact.init(np.ones((3, 2))))
print("rank-one G = a·bᵀ: V̂ equals G² to 1e-15:", bool(np.abs(rank_one.v_hat / a_times_b**2 - 1).max() < 1e-15))
G = np.random.default_rng(1).normal(size=(4, 3))
_, noisy = Adafactor().update(np.ones((4, 3)), G, Adafactor().init(np.ones((4, 3))))
print("random G: V̂/G² ranges over", f"{(noisy.v_hat / G**2).min():.3g} … {(noisy.v_hat / G**2).max():.3g}")

# %% [markdown]
# ## 3 · Lion (Chen et al., 2023)
#
# Found by a program search over update rules, Lion keeps one buffer and moves every coordinate by exactly
# $\eta$ (plus the weight decay):
#
# $$c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\qquad \theta_t = \theta_{t-1} - \eta\,(\mathrm{sign}(c_t) +
# \lambda\theta_{t-1}),\qquad m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t$$
#
# The direction mixes the momentum with the *new* gradient at one rate ($\beta_1$), and the momentum is updated
# at another ($\beta_2$), after the step. The sign throws away the gradient's size: that is why its paper asks
# for a learning rate several times smaller than AdamW's.

# %%
opt = Lion(lr=1e-3)
print(repr(opt))
rng = np.random.default_rng(2)
theta, m = rng.normal(size=5), np.zeros(5)
library_theta, state = theta.copy(), opt.init(theta)
for t in range(1, 6):
    g = rng.normal(size=5) * 10.0 ** rng.uniform(-3, 3, size=5)  # gradients from 0.001 to 1000
    c = opt.beta1 * m + (1 - opt.beta1) * g
    theta = theta + -opt.lr * (np.sign(c) + opt.weight_decay * theta)
    m = opt.beta2 * m + (1 - opt.beta2) * g
    library_theta, state = opt.update(library_theta, g, state)
assert np.array_equal(theta, library_theta) and np.array_equal(m, state.m)
print("NumPy lines == Lion.update, to the last bit; |step| of each coordinate at t = 5:",
      np.abs(state.delta), "whatever the gradient's size")

# %% [markdown]
# ## 4 · Schedule-free AdamW (Defazio et al., 2024)
#
# A learning rate that decays to zero at the end of training works better than a constant one, but then the
# length of training must be known in advance. Schedule-free learning keeps the rate constant (after an optional
# warm-up) and averages the iterates instead. Three sequences, of which two are stored:
#
# $$y_t = (1-\beta_1) z_t + \beta_1 x_t \quad\text{(the gradient is taken here)}$$
# $$z_{t+1} = z_t - \gamma_t\left(\frac{g_t}{\sqrt{\hat v_t}+\epsilon} + \lambda y_t\right),\qquad
# x_{t+1} = (1-c_{t+1})\,x_t + c_{t+1}\,z_{t+1},\qquad c_{t+1} = \frac{\gamma_{\max,t}^2}{\sum_{i\le t}\gamma_{\max,i}^2}$$
#
# With a constant rate $c_{t+1} = 1/t$: $x$ is the plain mean of the $z$'s. `update` returns $y$ (the point for
# the next gradient); a trained model is evaluated at $x$, which `evaluation_params` recovers from $y$ and $z$.
# $\beta_1$ does not average gradients here: it says where between $z$ and $x$ the gradient is taken.

# %%
opt = ScheduleFreeAdamW(lr=0.1, weight_decay=0.01)
print(repr(opt))
rng = np.random.default_rng(3)
y = rng.normal(size=4)
z, v, x, weight_sum, lr_max = y.copy(), np.zeros(4), y.copy(), 0.0, 0.0
library_y, state = y.copy(), opt.init(y)
zs = []
for t in range(1, 6):
    g = rng.normal(size=4)
    gamma = opt.lr  # no warm-up
    lr_max = max(lr_max, gamma)
    weight_sum = weight_sum + lr_max**2
    c = lr_max**2 / weight_sum
    v = opt.beta2 * v + (1 - opt.beta2) * g**2
    v_hat = v / (1 - opt.beta2**t)
    z_next = z + -gamma * (g / (np.sqrt(v_hat) + opt.eps) + opt.weight_decay * y)
    x = (y - (1 - opt.beta1) * z) / opt.beta1
    x = (1 - c) * x + c * z_next
    y, z = opt.beta1 * x + (1 - opt.beta1) * z_next, z_next
    zs.append(z)
    library_y, state = opt.update(library_y, g, state)
assert np.array_equal(y, library_y) and np.array_equal(z, state.z)
print("NumPy lines == ScheduleFreeAdamW.update, to the last bit")
print("x (evaluation_params) equals the mean of z_2 … z_6 to 1e-12:",
      bool(np.abs(opt.evaluation_params(library_y, state) - np.mean(zs, axis=0)).max() < 1e-12))

# %% [markdown]
# ## 5 · Muon (Jordan et al., 2024)
#
# For a weight matrix, Muon takes SGD's momentum and replaces it by the nearest orthogonal matrix: if
# $u = U S V^\top$ (its singular value decomposition), the step is $U V^\top$, every singular value set to one.
# Directions the gradient rarely pushes get the same step as the dominant ones. Computing an SVD every step would
# be slow, so Muon runs a few steps of a Newton–Schulz iteration,
# $X \leftarrow aX + (bA + cA^2)X$ with $A = XX^\top$, from $X_0 = u/\lVert u\rVert_F$, which maps each singular
# value $s$ to $as + bs^3 + cs^5$:
#
# $$m_t = \mu m_{t-1} + (1-\mu) g_t,\quad u_t = (1-\mu) g_t + \mu m_t,\quad O_t = \mathrm{NS}_5(u_t),\quad
# W_t = W_{t-1}(1-\eta\lambda) - \eta\sqrt{\max(1, A/B)}\;O_t$$
#
# Every array that is not a matrix (biases) takes an Adam step, as the reference implementations do.

# %%
opt = Muon(lr=0.02)
print(repr(opt))
a, b, c = optimizers.NEWTON_SCHULZ_COEFFICIENTS
rng = np.random.default_rng(4)
W, m = rng.normal(size=(6, 3)), np.zeros((6, 3))
library_W, state = W.copy(), opt.init(W)
for t in range(1, 4):
    g = rng.normal(size=(6, 3)) @ np.diag([10.0, 1.0, 0.1])  # singular values 100 apart
    m = opt.momentum * m + (1 - opt.momentum) * g
    u = (1 - opt.momentum) * g + opt.momentum * m
    X = u.T  # 6×3 is tall: work with the 3×6 transpose, so that A is 3×3
    X = X / (np.linalg.norm(X) + opt.eps)
    for _ in range(opt.ns_steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    W = W - opt.lr * np.sqrt(max(1.0, 6 / 3)) * X.T
    library_W, state = opt.update(library_W, g, state)
assert np.array_equal(W, library_W) and np.array_equal(m, state.m)
print("NumPy lines == Muon.update, to the last bit")
print("singular values of u_3:     ", np.round(np.linalg.svd(u, compute_uv=False), 3))
print("singular values of NS_5(u_3):", np.round(np.linalg.svd(newton_schulz(u), compute_uv=False), 3))

# %% [markdown]
# The orthogonalised step has singular values near one, where those of $u_3$ are spread far apart; five steps do
# not bring them all the way (the coefficients trade accuracy for speed, which Jordan found does not hurt training).

# %% [markdown]
# ## 6 · Races on notebook 05's landscapes
#
# Notebook 05's rules: the same start, 500 steps, no clipping, library defaults but the learning rate, which
# comes from the grid below by the stated rule (lowest $f - f^*$ at the end; runs that settle below $10^{-10}$
# tie and the first to settle wins). Schedule-free AdamW is measured at $x$. Muon sits out: a 2-D problem has a
# vector, not a matrix, and Muon's step there is Adam's.

# %%
objectives = [rosenbrock, beale, quadratic]
print(zoo.RULE)
print("grid:", zoo.LEARNING_RATES)
searches = {o.name: after_adam.race_2d(o) for o in objectives}
print(table(["objective", "optimizer", "chosen lr", "f − f* at 500", "settled at step"],
            [[name, label, f"{s.best:g}", zoo.gap_text(s.best_run.final_gap),
              formatted(s.settled_at[s.learning_rates.index(s.best)], "d")]
             for name, found in searches.items() for label, s in found.items()]))
winners = {name: after_adam.winner(found) for name, found in searches.items()}
print("first to the minimum (or lowest at 500):", winners)
print(f"a newcomer wins on {sum(w not in ('Adam', 'AdamW') for w in winners.values())} of {len(winners)} landscapes")

# %%
fig = after_adam.plot_races_2d(objectives, searches)
save(fig, "12_races_2d")
plt.show()

# %% [markdown]
# The winner is the run that settled first below $10^{-10}$, or else the lowest $f - f^*$ at step 500 (the same
# order as the rule). Two things to see in the curves: Lion's steps have a fixed size per coordinate (its learning
# rate), so near a minimum it hovers at a distance set by that rate instead of closing in; and Adafactor's step is
# relative to the size of the parameters, so it is small wherever the parameters are. Their papers make claims
# about large networks, not about two-dimensional landscapes; these races test the rules, not those claims.

# %% [markdown]
# ## 7 · The race on notebook 08's network
#
# The MLP of notebook 08 in quick mode (digits, 64-100-100-10, ReLU, dropout), minibatches of 128. The rule: each
# optimizer runs the learning rates of its grid on seed 0; the lowest training objective (all images, no
# dropout) after the last epoch wins; that setting then runs on three other seeds (initial weights, minibatch
# order and dropout noise). Muon's biases take Adam with the rate Adam's grid chose. The claim put to each
# newcomer: **it ends with a lower training objective than AdamW**. The verdict, over the seeds: *held* if every
# seed of it is below every seed of AdamW, *did not hold* if every one is above, *within noise* otherwise.

# %%
print(f"MLP 64-{'-'.join(map(str, after_adam.HIDDEN))}-10 on the digits, minibatches of {after_adam.BATCH_SIZE}, "
      f"{after_adam.MLP_EPOCHS} epochs, seeds {after_adam.SEEDS}; grids:")
for label, grid in after_adam.MLP_GRIDS.items():
    print(f"  {label:20s} lr ∈ {grid}")
races = after_adam.race_mlp()

# %%
adamw = races["AdamW"].finals
print(table(["optimizer", "seed-0 grid (final objective)", "chosen lr", "at the grid's edge", "final objective per seed",
             "vs AdamW"],
            [[label, "  ".join(f"{c:.3g}" for c in race.grid_costs), f"{race.best:g}",
              "yes" if race.best in (race.grid[0], race.grid[-1]) else "no",
              "  ".join(f"{c:.3g}" for c in race.finals),
              "—" if label in ("Adam", "AdamW") else after_adam.verdict(race.finals, adamw)]
             for label, race in races.items()]))

# %%
fig = after_adam.plot_mlp_race(races)
save(fig, "12_race_mlp")
plt.show()

# %% [markdown]
# Read the verdicts with their scale in mind: a small network, a small data set and a short run, where
# training loss is what is compared. The newcomers' papers measured large language and vision models, often at
# batch sizes and lengths where their advantages (memory, no schedule, better-conditioned matrix updates) matter
# most. What this notebook does establish: each rule is implemented as its paper and its library write it
# (section 2–5 and the reference tests), and memory, the seed's claim, is measured rather than asserted.
#
# ## Summary
#
# - Adam keeps two buffers per parameter, AdaGrad and RMSProp one: the seed's memory claim does not hold.
#   Adafactor, Lion and Muon were designed to keep less.
# - Adafactor factors a matrix's second moment into row and column averages, and steps relative to the weights.
# - Lion keeps one buffer and moves each coordinate by exactly the learning rate.
# - Schedule-free AdamW replaces the schedule by an average of iterates, evaluated at $x$.
# - Muon orthogonalises the momentum of each weight matrix by a Newton–Schulz iteration.

# %% [markdown]
# ## Exercises
#
# Each check compares your function with the library on a case chosen so that the common mistakes give other
# numbers, and names the mistake if it recognises it. `show_solution(exercises.solution_...)` prints a model answer.
#
# **1.** One Lion step without weight decay: return the new `theta` and `m`.

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.after_adam import exercises


def lion_step(theta, g, m, lr, beta1, beta2):
    return None  # your code here: (theta, m)


exercises.check_lion_step(lion_step)


# %% [markdown]
# **2.** Adafactor's second moment of a matrix gradient $G$ after its first step (where $\hat\beta_{21} = 0$ and,
# here, $\epsilon_1 = 0$): the rank-one estimate from the row and column means of $G^2$.

# %%
def factored_second_moment(G):
    return None  # your code here: an array of G's shape


exercises.check_factored_second_moment(factored_second_moment)


# %% [markdown]
# **3.** Schedule-free AdamW stores $y$ and $z$. Recover the evaluation point $x$ from them.

# %%
def evaluation_point(y, z, beta1):
    return None  # your code here


exercises.check_evaluation_point(evaluation_point)
