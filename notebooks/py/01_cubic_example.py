# %% [markdown]
# # 01 · The cubic example, digit by digit
#
# A snippet that circulates widely shows Adam at work on a one-dimensional function: minimise
# $f(x) = x^3 - 2x^2 + 2$ with Keras's Adam, learning rate 0.05, $\epsilon = 10^{-7}$, from $x = 0.001$, for
# 100 steps, and print `x`. It prints about **1.3325516**. This notebook reproduces that number with the
# `adam_edu` NumPy implementation and explains every digit of it.
#
# **You will learn**
# - where the minimum is and why Adam lands near it but not on it after 100 steps;
# - what Adam computes in its first steps ($m_t$, $v_t$, $\hat m_t$, $\hat v_t$, the step $\Delta_t$), number by number;
# - why Keras prints 1.3325516 while PyTorch and the paper's Algorithm 1 give 1.3325528: the $\hat\epsilon$ convention;
# - the difference between `update` (new arrays, as Optax) and `step` (in place, as PyTorch).
#
# The original snippet, for reference (TensorFlow is not needed here):
# ```python
# x = tf.Variable(0.001)
# opt = tf.keras.optimizers.Adam(learning_rate=0.05, epsilon=1e-07)
# for _ in range(100):
#     with tf.GradientTape() as tape:
#         y = x**3 - 2 * x**2 + 2
#     opt.apply_gradients(zip(tape.gradient(y, [x]), [x]))
# print(x.numpy())
# ```

# %% [markdown]
# ## Algorithm 1 at a glance
#
# The paper's algorithm, with its defaults α = 0.001, β1 = 0.9, β2 = 0.999, ε = 10⁻⁸. Every operation on
# vectors is element by element ($g_t^2$ is $g_t \odot g_t$), so each parameter gets a step of its own.
#
# | line | what it is | taught in |
# |---|---|---|
# | m₀ ← 0, v₀ ← 0, t ← 0 | both moments start at zero: the source of their bias | [03](03_bias_correction.ipynb) |
# | t ← t + 1;  g_t ← ∇θ f_t(θ_{t−1}) | $g_t$ is the gradient of the objective at step t, taken at the current parameters (in training, of one minibatch's loss) | here |
# | m_t ← β1·m_{t−1} + (1 − β1)·g_t | first moment: a moving average of the gradients, over about 1/(1 − β1) = 10 steps | [02](02_moments.ipynb) |
# | v_t ← β2·v_{t−1} + (1 − β2)·g_t² | second moment: a moving average of the squared gradients, over about 1000 steps | [02](02_moments.ipynb) |
# | m̂_t ← m_t/(1 − β1^t),  v̂_t ← v_t/(1 − β2^t) | bias correction: undoes the pull towards the zero start | [03](03_bias_correction.ipynb) |
# | θ_t ← θ_{t−1} − α·m̂_t/(√v̂_t + ε) | the update: a step of about α per parameter, whatever the gradient's scale | [04](04_update_rule.ipynb) |
#
# In code it is `adam_edu.optimizers.Adam.update_array`, one commented line per line above. Libraries differ in
# where they put ε ([04](04_update_rule.ipynb)): PyTorch and Optax as above; Keras, TensorFlow and the paper's §2 "ε̂" form
# use α_t = α·√(1 − β2^t)/(1 − β1^t) and divide m_t by √v_t + ε̂.
#
# This notebook follows the lines on a one-dimensional function: the table of the first steps shows each of
# them number by number, and *The five lines by hand* runs them in plain NumPy and checks them against the library.

# %%
import matplotlib.pyplot as plt
import numpy as np

from adam_edu import Adam
from adam_edu import functions, plots
from adam_edu.functions import cubic

plots.setup_notebook()

# %%
defaults = Adam()
print(f"Adam()'s defaults: α = {defaults.lr}, β1 = {defaults.beta1}, β2 = {defaults.beta2}, ε = {defaults.eps:g}")

# %% [markdown]
# ## The function
#
# $f'(x) = 3x^2 - 4x = x(3x - 4)$ vanishes at $x = 0$ (a local maximum, $f'' = -4$) and at $x = 4/3$
# (a local minimum, $f'' = 4$), where $f(4/3) = 64/27 - 96/27 + 54/27 = 22/27$. Since $f \to -\infty$ as
# $x \to -\infty$, 4/3 is only a *local* minimum. The start $x_0 = 0.001$ sits just right of the maximum, where
# the gradient $f'(0.001) = -0.003997$ is tiny and points right.

# %%
print(f"minimum x* = 4/3 = {4 / 3:.10f}, f(x*) = 22/27 = {22 / 27:.10f}")
print(f"f'(x0) = {cubic.grad(np.array([0.001]))[0]:.6f}")

# %% [markdown]
# ## One hundred steps of Algorithm 1
#
# `functions.run` applies the optimizer and keeps every state, so nothing needs re-deriving.
# `Adam(lr=0.05, eps=1e-7)` is the paper's Algorithm 1, as in PyTorch and Optax.

# %%
adam = Adam(lr=0.05, eps=1e-7)
history = functions.run(adam, cubic, x0=[0.001], steps=100)
x100 = history.params[100, 0]
print(f"x after 100 steps: {x100:.16f}")
print(f"|x100 − 4/3| = {abs(x100 - 4 / 3):.2e},  f(x100) − 22/27 = {history.values[100] - 22 / 27:.2e}")

# %% [markdown]
# PyTorch 2.13 `torch.optim.Adam(lr=0.05, eps=1e-7)` in float64 gives the same number to the last digit,
# 1.3325528190002547 (the test suite checks this, and many other trajectories, against PyTorch and Keras).
#
# ## The first steps, number by number
#
# At $t = 1$, with $m_0 = v_0 = 0$: $m_1 = 0.1\,g_1$ and $v_1 = 0.001\,g_1^2$ are ten and a thousand times too
# small. Bias correction divides them by $1 - \beta_1 = 0.1$ and $1 - \beta_2 = 0.001$, so $\hat m_1 = g_1$ and
# $\hat v_1 = g_1^2$, and the first step is $\alpha\, g_1/(|g_1| + \epsilon)$: almost exactly $\alpha = 0.05$, whatever
# the size of the gradient. The tiny gradient at $x_0$ still moves $x$ by a full learning rate.

# %%
print(functions.trace(history, [1, 2, 3, 10, 20, 35, 100]))
uncorrected = functions.run(Adam(lr=0.05, eps=1e-7, bias_correction=False), cubic, x0=[0.001], steps=1)
ratio = uncorrected.states[1].delta[0] / history.states[1].delta[0]
print(f"first step without bias correction: {uncorrected.states[1].delta[0]:.6f}, {ratio:.2f} times Δ_1;"
      f"  (1 − β1)/√(1 − β2) = 0.1/√0.001 = {0.1 / np.sqrt(0.001):.2f}")

# %% [markdown]
# Read the columns left to right and you have Algorithm 1: $m_t$ and $v_t$ are the moving averages,
# $\hat m_t$ and $\hat v_t$ the corrected ones, $\Delta_t = -\alpha\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)$.
# At step 2 the step shrinks to 0.038: $\hat m_2$ averages the new gradient with the old tiny one, while
# $\hat v_2$ is dominated by the new, larger $g_2^2$. Then the steps grow again as the gradients agree.
# Without bias correction the first step would be $\alpha\cdot 0.1\,g_1/(\sqrt{0.001}\,|g_1| + \epsilon)$, larger by the ratio
# $(1-\beta_1)/\sqrt{1-\beta_2} = 0.1/\sqrt{0.001} \approx 3.16$ (the last line above; notebook 03 follows this factor over time).
#

# %% [markdown]
# **The five lines by hand.** Here is Algorithm 1 once more, written out in NumPy with the paper's symbols, one
# line per line of the box at the top, run for the same 100 steps from the same start. The library is no more than
# this; the last line checks that the two end at the same $x_{100}$ to the last bit.

# %%
alpha, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-7
theta, m, v = np.array([0.001]), np.zeros(1), np.zeros(1)  # θ_0; m_0 ← 0, v_0 ← 0
for t in range(1, 101):
    g = cubic.grad(theta)  # g_t ← ∇f(θ_{t−1})
    m = beta1 * m + (1 - beta1) * g  # m_t ← β1·m_{t−1} + (1 − β1)·g_t
    v = beta2 * v + (1 - beta2) * g**2  # v_t ← β2·v_{t−1} + (1 − β2)·g_t²
    m_hat = m / (1 - beta1**t)  # m̂_t ← m_t/(1 − β1^t)
    v_hat = v / (1 - beta2**t)  # v̂_t ← v_t/(1 − β2^t)
    theta = theta - alpha * m_hat / (np.sqrt(v_hat) + eps)  # θ_t ← θ_{t−1} − α·m̂_t/(√v̂_t + ε)
same = np.array_equal(theta, history.params[100])
assert same
print(f"x after 100 steps by hand: {theta[0]:.16f}; equal to the library's to the last bit: {same}")

# %% [markdown]
# ## The path
#
# Plotted as the classic snippet draws it: the function, with the iterates as markers.

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
plots.draw_1d_path(ax, cubic, history.params[:, 0])
ax.set_title("Adam on x³ − 2x² + 2: lr 0.05, ε 1e-7, x0 = 0.001, 100 steps (Algorithm 1, float64)")
ax.legend(loc="lower right")
plots.save(fig, "01_cubic_path")
plt.show()

# %%
deltas = np.array([s.delta[0] for s in history.states[1:]])
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
plots.draw_trajectory_and_steps(axes, history.params[:, 0], deltas, target=4 / 3, lr=0.05)
axes[0].set_title("x_t: overshoot to 1.501 at step 35, then damped oscillation")
axes[1].set_title("step size |Δ_t|: about α, sometimes more")
fig.suptitle("Adam on the cubic, lr 0.05, ε 1e-7, x0 = 0.001 (Algorithm 1, float64)", y=1.02)
plots.save(fig, "01_cubic_steps")
plt.show()

# %%
long_run = functions.run(adam, cubic, x0=[0.001], steps=1000)
xs = long_run.params[:, 0]
m_hats = np.array([s.m_hat[0] for s in long_run.states[1:]])
grads = np.array([cubic.grad(long_run.params[t - 1])[0] for t in range(1, 1001)])
print(f"x passes 4/3 at step {np.argmax(xs > 4 / 3)}; g_t > 0 from step {np.argmax(grads > 0) + 1};"
      f" m̂_t > 0 from step {np.argmax(m_hats > 0) + 1}")
print(f"largest x: {xs.max():.6f} at step {xs.argmax()}")
print(f"largest step: {np.abs(deltas).max():.4f} at step {np.abs(deltas).argmax() + 1} (α = 0.05)")
print(f"|Δ_t| ≥ α/2 until step {np.flatnonzero(np.abs(deltas) >= 0.025)[-1] + 1}; over steps 31 to 100 the median"
      f" |Δ_t| is {np.median(np.abs(deltas[30:])) / 0.05:.3f} α, the largest {np.abs(deltas[30:]).max() / 0.05:.2f} α")
for tol in (1e-3, 1e-6):
    outside = np.flatnonzero(np.abs(xs - 4 / 3) >= tol)
    print(f"|x_t − 4/3| < {tol:g} for every t ≥ {outside[-1] + 1}")
print(f"x after 1000 steps: {xs[-1]:.16f}")

# %% [markdown]
# **Why $x$ overshoots.** $x$ passes 4/3 at step 27 at almost full speed, and the gradient turns positive at step 28;
# but $\hat m_t$ averages the last ten or so gradients ($\beta_1 = 0.9$), all strongly negative, and stays negative until step 36.
# Until then Adam keeps moving right, with steps that shrink as $\hat m_t$ does while $\sqrt{\hat v_t}$ still remembers the
# large gradients: $x$ stops at 1.501 at step 35, then turns back. Momentum carries it past the minimum and the
# normalised step does not slow down near it, because $\hat m_t/\sqrt{\hat v_t}$ does not feel the size of the gradient.
#
# **When it settles.** After 100 steps $x$ is still oscillating around 4/3: $|x_{100} - 4/3| \approx 7.8\times10^{-4}$, it does
# not *stay* within $10^{-3}$ until step 129, and within $10^{-6}$ until step 265. The step size is about $\alpha$ only
# for the first 30 steps, the run towards 4/3, and exceeds it there (0.0544 at step 18): the paper's bound
# $|\Delta_t| \lesssim \alpha$ is only approximate, as notebook 04 explains. From step 31 the steps are far below $\alpha$: their median
# up to step 100 is $0.064\alpha$. Why does it settle at all, with a constant $\alpha$? Near the minimum
# the gradients change sign, so $\hat m_t$ shrinks while $\hat v_t$ remembers their size: the ratio
# $\hat m_t/\sqrt{\hat v_t}$, the paper's *signal-to-noise ratio*, goes to zero (notebook 02).
#
# ## Why Keras prints 1.3325516: ε versus ε̂
#
# Keras (and TensorFlow) implement the "more efficient" form the paper gives at the end of its Section 2:
# $\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ and $\theta_t = \theta_{t-1} - \alpha_t\, m_t/(\sqrt{v_t} + \hat\epsilon)$. The two forms are equal only
# if $\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}$; Keras keeps $\hat\epsilon$ = `epsilon` constant instead, which is Algorithm 1 with a
# time-varying $\epsilon_t = \hat\epsilon/\sqrt{1-\beta_2^t}$, 31.6 times larger at $t = 1$. `Adam(eps_hat=True)` is that form.

# %%
variants = {
    "Algorithm 1 (PyTorch, Optax), float64": (Adam(lr=0.05, eps=1e-7), np.float64),
    "Algorithm 1, float32": (Adam(lr=0.05, eps=1e-7), np.float32),
    "ε̂ form (Keras, TensorFlow), float64": (Adam(lr=0.05, eps=1e-7, eps_hat=True), np.float64),
    "ε̂ form, float32": (Adam(lr=0.05, eps=1e-7, eps_hat=True), np.float32),
}
for name, (optimizer, dtype) in variants.items():
    run = functions.run(optimizer, cubic, x0=[0.001], steps=100, dtype=dtype)
    print(f"{name:40s} x1 = {run.params[1, 0]:.7f}   x100 = {run.params[100, 0]:.7f}")
print(f"ε_1 seen by the ε̂ form at t = 1: {1e-7 / np.sqrt(1 - 0.999):.3g}, {1 / np.sqrt(1 - 0.999):.1f} times ε")
path = {name: functions.run(optimizer, cubic, x0=[0.001], steps=100, dtype=dtype).params[:, 0]
        for name, (optimizer, dtype) in variants.items()}
algorithm_1, eps_hat_form = path["Algorithm 1 (PyTorch, Optax), float64"], path["ε̂ form (Keras, TensorFlow), float64"]
keras_x100 = 1.3325516  # what the snippet prints (Keras 3.15, JAX backend, float32)
print(f"x100: Algorithm 1 − Keras = {algorithm_1[100] - keras_x100:.3g}, of which the ε̂ convention"
      f" {algorithm_1[100] - eps_hat_form[100]:.2g}; ε̂ form in float32 − Keras = {path['ε̂ form, float32'][100] - keras_x100:.2g}")
gap = np.abs(algorithm_1 - eps_hat_form)
print(f"largest difference along the path, Algorithm 1 − ε̂ form: {gap.max():.2g} at step {gap.argmax()}")
print(f"float32 − float64 at x100: Algorithm 1 {path['Algorithm 1, float32'][100] - algorithm_1[100]:.1g},"
      f" ε̂ form {path['ε̂ form, float32'][100] - eps_hat_form[100]:.1g}")

# %% [markdown]
# Every digit is now accounted for. Of the gap of $1.22\times10^{-6}$ between Algorithm 1's and Keras's $x_{100}$:
#
# | digits of x₁₀₀ | where they come from |
# |---|---|
# | **1.33** | the minimum, 4/3 = 1.3333…; 100 steps leave x oscillating 7.8·10⁻⁴ below it |
# | 1.33255**28** vs 1.33255**20** | the ε convention, 7.8·10⁻⁷: ε̂ is a larger effective ε early on, so the first steps are slightly shorter (x₁ = 0.0509605 instead of 0.0509987) and the whole path shifts |
# | 1.332552**0** vs **1.3325516** | float32 rounding: real Keras (measured with Keras 3.15 on its JAX backend, in float32) raises β rounded to float32 to the power t; a NumPy float32 replica of the formula lands 3.6·10⁻⁷ away |
#
# The convention matters far more than float32 versus float64 (3·10⁻⁸ for Algorithm 1, 8·10⁻⁸ for the ε̂ form, at $x_{100}$).
# Along the path the two conventions differ by up to $5\times10^{-5}$ (at step 14), and the oscillation around 4/3 shrinks the
# difference to $7.8\times10^{-7}$ by step 100. With $\epsilon \to 0$ both forms agree exactly: the first step is then
# $\alpha\,\mathrm{sign}(g_1)$. The difference matters when gradients are as small as $\epsilon$: notebook 04 shows when.

# %%
x_update, x_step = np.array([0.001]), np.array([0.001])
state_update, state_step = adam.init(x_update), adam.init(x_step)
for _ in range(100):
    x_update, state_update = adam.update(x_update, cubic.grad(x_update), state_update)
    state_step = adam.step(x_step, cubic.grad(x_step), state_step)
print("same numbers:", np.array_equal(x_update, x_step), np.array_equal(state_update.m, state_step.m))

# %% [markdown]
# ## Summary
#
# - From $x_0 = 0.001$, Adam with $\alpha = 0.05$ moves right by almost exactly $\alpha$ per step at first, whatever the
#   gradient's size, overshoots the minimum 4/3 to 1.501 at step 35 and oscillates back: $x_{100} = 1.3325528$.
# - Bias correction makes the first step $\alpha\, g_1/(|g_1| + \epsilon)$; without it the first step would be $(1-\beta_1)/\sqrt{1-\beta_2} = 0.1/\sqrt{0.001} \approx 3.16$
#   times larger (notebook 03).
# - Keras's 1.3325516 differs from Algorithm 1's 1.3325528 by $1.22\times10^{-6}$: $7.8\times10^{-7}$ because Keras uses $\hat\epsilon$, not $\epsilon$,
#   the rest float32 rounding of $\beta^t$.
#
# ## Exercises
#
# Fill in each function, then run the cell: the check says whether it is right, and if not, what is likely wrong.
# `show_solution(...)` prints a model answer.
#
# **1.** Write Adam's first step $\Delta_1$ for a gradient `g1` (Algorithm 1, $\beta_1 = 0.9$, $\beta_2 = 0.999$).

# %%
from adam_edu.exercises import show_solution
from adam_edu.lessons.cubic import exercises


def first_step(g1, lr, eps):
    return None  # your code here: Δθ_1 for gradient g1


exercises.check_first_step(first_step)


# %% [markdown]
# **2.** Which Algorithm-1 $\epsilon_t$ does the $\hat\epsilon$ form use at step $t$? Return it for an array of steps.

# %%
def equivalent_eps(eps_hat, beta2, t):
    return None  # your code here


exercises.check_equivalent_eps(equivalent_eps)


# %% [markdown]
# **3.** Write `settling_step(xs, target, tol)`: the first step after which $|x_s - \text{target}| < \text{tol}$ for *every*
# later $s$ (the number printed above for $10^{-3}$ is 129). Then: how does it change with `lr=0.01` or `lr=0.2`?

# %%
def settling_step(xs, target, tol):
    return None  # your code here


exercises.check_settling_step(settling_step)

# %% [markdown]
# To see a model answer: `show_solution(exercises.solution_first_step)`.
