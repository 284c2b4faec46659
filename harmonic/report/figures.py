r"""Figures of the potentials, their transforms and their activations (matplotlib).

matplotlib is optional (the ``plots`` extra) and imported only when a figure is drawn; the
figures are :class:`matplotlib.figure.Figure` objects made without pyplot, so they never
open a window or touch global state.

* :func:`potential_figure`: :math:`(-1)^k\Phi_\epsilon^{(k)}` of Lemma 4.2 against the
  pure lambda-harmonic :math:`(-1)^k\Phi^{(k)}` of Lemma B.9 (same scale), log-log;
* :func:`fourier_figure`: the Fourier transform of :math:`\Phi_\epsilon` (Theorem 2.1) on a
  log grid, each value with its verified error, against the transform of :math:`\Phi`;
* :func:`activation_figure`: the radial profile h and sigma of the activation of Lemma B.9's
  potential (Lemma B.10 for d = 3);
* :func:`trajectory_figure`: electron-proton dynamics (Definition 2.2, Theorem 2.3) of a random
  network in the plane: electrons (the hidden units theta_i) and fixed protons (w_j);
* :func:`descent_figure`: loss curves of GD, SecondGD on G and node-wise descent on a random
  instance of Theorem 4.1/4.6 with Phi_eps.

:func:`write_figures` draws them all and saves each as PNG and PDF (without timestamps, so
the same command gives the same PDF).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from harmonic.exact import almost_lam_harmonic, lam_harmonic_potential
from harmonic.precise import lam_harmonic_activation, radial_fourier
from harmonic.progress import Progress

__all__ = ["potential_figure", "fourier_figure", "activation_figure", "trajectory_figure",
           "descent_figure", "save_figure", "write_figures"]


def _figure(*, ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 4.2):
    """A pyplot-free Figure and its axes; a clear ImportError without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("figures need matplotlib: pip install 'harmonic-electrodynamics[plots]'") from None
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def potential_figure(d: int = 7, eps=sp.Rational(1, 10), lam=1, *, orders: Sequence[int] | None = None,
                     points: int = 400):
    r"""(-1)^k Phi_eps^(k) (Lemma 4.2) and (-1)^k Phi^(k) (Lemma B.9), log-log, one panel per k.

    Both are divided by the same constant Phi_eps(0) (before normalisation), so they coincide
    for r >= eps; below eps Phi_eps is a polynomial and stays bounded while Phi blows up like
    r^{2-d-k}. By the sign pattern every curve is positive. ``orders`` defaults to 0, 1, 2 and
    d - 1 (where the lower piece is linear, Phi_eps^{(d-1)}(0) = 0).
    """
    phi_eps = almost_lam_harmonic(d, eps, lam)
    pure = lam_harmonic_potential(d, lam)
    orders = sorted(set([0, 1, 2, d - 1] if orders is None else orders))
    eps_f = float(phi_eps.eps)
    scale = float(phi_eps.scale)
    r = np.logspace(np.log10(eps_f / 100), np.log10(5.0), points)
    fig, axes = _figure(ncols=len(orders), width=3.0 * len(orders), height=3.2)
    for ax, k in zip(axes[0], orders):
        sign = (-1)**k
        ax.loglog(r, sign * phi_eps.numpy(k)(r), label=r"$\Phi_\epsilon$")
        ax.loglog(r, sign * pure.numpy(k)(r) / scale, "--", label=r"$\Phi$ (same scale)")
        ax.axvline(eps_f, color="0.6", lw=0.8, ls=":")
        ax.set_title(rf"$(-1)^{{{k}}}\,\Phi^{{({k})}}$")
        ax.set_xlabel("$r$")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(rf"Lemma 4.2: $\Phi_\epsilon$ vs the $\lambda$-harmonic $\Phi$ "
                 rf"($d={d}$, $\epsilon={sp.latex(phi_eps.eps)}$, $\lambda={sp.latex(pure.lam)}$)")
    return fig


def fourier_figure(d: int = 7, eps=sp.Rational(1, 10), lam=1, *, points: int = 41, dps: int = 15,
                   progress: Progress | None = None):
    r"""The Fourier transform of Phi_eps (Theorem 2.1) at ``points`` log-spaced rho in
    [10^{-2}, 10^3], from :func:`harmonic.precise.radial_fourier` with ``dps`` verified digits.

    Resolved positive values are drawn as a line, resolved negative ones (none, if Phi_eps is
    realizable) as red crosses at |F|, unresolved ones (|F| below its error) as grey marks
    at the error. The transform of the pure Phi over the same scale is dashed. ``progress``
    is advanced once per rho.
    """
    phi_eps = almost_lam_harmonic(d, eps, lam)
    pure = lam_harmonic_potential(d, lam)
    rhos = np.logspace(-2, 3, points)
    values, errors, resolved, reference = [], [], [], []
    for rho in rhos:
        res = radial_fourier(phi_eps, d, float(rho), dps=dps)
        values.append(float(res.value))
        errors.append(float(res.error))
        resolved.append(bool(res.resolved))
        reference.append(float(radial_fourier(pure, d, float(rho), dps=dps).value / mpmath.mpf(sp.N(phi_eps.scale, dps + 5))))
        if progress is not None:
            progress.update(1, f"F(Phi_eps)({rho:.3g})")
    values, errors, resolved = np.array(values), np.array(errors), np.array(resolved)
    positive, negative = resolved & (values > 0), resolved & (values < 0)
    fig, axes = _figure()
    ax = axes[0][0]
    ax.loglog(rhos[positive], values[positive], "o-", ms=3,
              label=rf"$\mathcal{{F}}\Phi_\epsilon > 0$ ({positive.sum()} of {points})")
    if negative.any():
        ax.loglog(rhos[negative], -values[negative], "x", color="red", label=r"$\mathcal{F}\Phi_\epsilon < 0$")
    if (~resolved).any():
        ax.loglog(rhos[~resolved], errors[~resolved], "|", color="0.5", label="unresolved (error)")
    ax.loglog(rhos, reference, "--", color="0.4", label=r"$\mathcal{F}\Phi$ (same scale)")
    ax.set_xlabel(r"$\rho$")
    ax.set_title(rf"Theorem 2.1: $\mathcal{{F}}\Phi_\epsilon \geq 0$ ($d={d}$, "
                 rf"$\epsilon={sp.latex(phi_eps.eps)}$, {dps} verified digits)")
    ax.legend(fontsize="small")
    return fig


def activation_figure(d: int = 3, lam=1, *, points: int = 120, dps: int = 15):
    r"""The activation realizing Lemma B.9's potential: the profile
    h(r) = c_d r^{-(d-1)/2} K_{(d-1)/2}(sqrt(lambda) r) and sigma(r) = (2 pi)^{d/4} e^{r^2/4} h(r)
    (:func:`harmonic.precise.lam_harmonic_activation`; Lemma B.10 for d = 3)."""
    act = lam_harmonic_activation(d, lam)
    r = np.logspace(-2, 1, points)
    h = np.array([float(act.profile(x, dps=dps)) for x in r])
    sigma = (2 * np.pi)**(d / 4) * np.exp(r**2 / 4) * h
    fig, axes = _figure(ncols=2, width=8.0, height=3.4)
    axes[0][0].loglog(r, h)
    x = sp.Symbol("r", positive=True)
    axes[0][0].set_title(rf"$h(r) = {sp.latex(act.constant)}\, r^{{-{sp.latex(act.order)}}} "
                         rf"K_{{{sp.latex(act.order)}}}({sp.latex(act.s * x)})$")
    axes[0][1].semilogy(r, sigma)
    axes[0][1].set_title(r"$\sigma(r) = (2\pi)^{d/4} e^{r^2/4} h(r)$")
    for ax in axes[0]:
        ax.set_xlabel("$r = |x|$")
    fig.suptitle(rf"Activation of the $\lambda$-harmonic potential ($d={d}$, $\lambda={sp.latex(act.s**2)}$)")
    return fig


def trajectory_figure(k: int = 3, *, seed: int = 0, t_final: float = 6.0):
    """Electron-proton dynamics under the Gaussian potential e^{-r^2/2} in the plane: k
    electrons theta_i (charges a_i) move, k protons w_j (charges b_j, opposite signs) are
    fixed; the flow is gradient descent on L/2 (Theorem 2.3, corrected factor)."""
    from harmonic.fast.dynamics import ElectronProtonDynamics
    from harmonic.fast.potentials import gaussian

    rng = np.random.default_rng(seed)
    w = rng.normal(size=(k, 2)) * 1.5
    b = rng.uniform(0.5, 1.0, size=k)
    theta = rng.normal(size=(k, 2)) * 1.5
    traj = ElectronProtonDynamics.network(gaussian(1), a=-np.ones(k), theta=theta, b=b, w=w) \
        .solve(t_final, t_eval=np.linspace(0, t_final, 400))
    fig, axes = _figure(width=5.2, height=4.6)
    ax = axes[0, 0]
    paths = traj.moving_positions
    for i in range(k):
        ax.plot(paths[:, i, 0], paths[:, i, 1], lw=1.2)
        ax.plot(*paths[0, i], "o", mfc="none", color=ax.lines[-1].get_color())
        ax.plot(*paths[-1, i], "o", color=ax.lines[-1].get_color())
    ax.plot(w[:, 0], w[:, 1], "k+", ms=12, mew=2, label=r"protons $w_j$ (fixed)")
    ax.set_aspect("equal")
    ax.set_title(r"electron-proton dynamics, $\Phi = e^{-r^2/2}$, $t \leq %g$" % t_final)
    ax.legend(loc="best", fontsize="small")
    return fig


def descent_figure(d: int = 3, k: int = 3, eps=sp.Rational(1, 2), *, seed: int = 0):
    """Loss curves on one random instance of Theorems 4.1/4.6 with Phi_eps: GD on L,
    SecondGD on G (Algorithm 2) from Lemma E.4's greedy start, and node-wise descent
    (Algorithm 3, charges refit) node after node."""
    from harmonic.fast import descent
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import phi_eps
    from harmonic.fast.recovery import greedy_init, node_initializer, random_teacher

    pot = phi_eps(d, eps)
    teacher = random_teacher(d, k, b_min=0.1, min_separation=2.0, seed=seed)
    a0, th0 = greedy_init(pot, teacher, k, rng=seed + 1)
    loss = Loss(pot, teacher.b, teacher.w)
    runs = {
        "GD on L (Algorithm 4)": descent.gd(descent.loss_objective(loss), loss.pack(a0, th0),
                                            alpha=5e-3, T=3000),
        "SecondGD on G (Algorithm 2)": descent.second_gd(
            descent.loss_objective(loss, regularized=True), loss.pack(a0, th0), alpha=5e-3,
            eta=1e-6, gamma=1e-6, T=3000),
    }
    node = descent.nodewise_descent(loss, np.zeros(k), th0, alpha=5e-3, eta=1e-6, gamma=1e-6,
                                    T=3000, init=node_initializer(pot, teacher, rng=seed + 2),
                                    refit_charge=True)
    fig, axes = _figure(width=6.4, height=4.0)
    ax = axes[0, 0]
    for label, res in runs.items():
        ax.semilogy(np.maximum(res.history, 1e-16), label=f"{label}: {res.reason}")
    ax.semilogy(np.maximum(node.history, 1e-16),
                label=f"node-wise (Algorithm 3, charges refit): node losses, last {node.history[-1]:.2g}; "
                      f"full L after the last refit {node.value:.2g}")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title(r"$\Phi_\varepsilon$, d = %d, k = %d, $\varepsilon$ = %s" % (d, k, eps))
    ax.legend(fontsize="small")
    return fig


def save_figure(fig, stem: str | Path, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Save ``fig`` as ``stem.png``, ``stem.pdf`` (no creation date, for reproducible files)."""
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        metadata = {"CreationDate": None} if fmt == "pdf" else {"Software": None}
        fig.savefig(path, format=fmt, dpi=150, metadata=metadata)
        paths.append(path)
    return paths


def write_figures(out_dir: str | Path, *, d: int = 7, eps=sp.Rational(1, 10), lam=1,
                  formats: Sequence[str] = ("png", "pdf"), show_progress: bool | None = None) -> list[Path]:
    """Draw every figure and save it into ``out_dir`` in each of ``formats``; return the paths.

    Files: ``potential_derivatives``, ``fourier_phi_eps``, ``activation_profile``,
    ``trajectories``, ``descent_curves``.
    ``show_progress`` is passed to :class:`harmonic.progress.Progress` (None: on a terminal).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    points = 41
    paths: list[Path] = []
    with Progress(points + 4, "figures", enabled=show_progress) as bar:
        paths += save_figure(potential_figure(d, eps, lam), out / "potential_derivatives", formats)
        bar.update(1, "potential")
        paths += save_figure(fourier_figure(d, eps, lam, points=points, progress=bar), out / "fourier_phi_eps", formats)
        paths += save_figure(activation_figure(d, lam), out / "activation_profile", formats)
        bar.update(1, "activation")
        paths += save_figure(trajectory_figure(), out / "trajectories", formats)
        bar.update(1, "trajectories")
        paths += save_figure(descent_figure(), out / "descent_curves", formats)
        bar.update(1, "descent")
    return paths
