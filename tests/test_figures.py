"""Tests of the figures: the plotted data against closed forms, the files written by
``harmonic figures``, and the error without matplotlib."""
from __future__ import annotations

import json
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp

pytest.importorskip("matplotlib")

from harmonic.cli import main                          # noqa: E402
from harmonic.report import figures                    # noqa: E402


def _lines(ax):
    return {line.get_label(): (line.get_xdata(), line.get_ydata()) for line in ax.get_lines()}


def test_potential_figure_phi_eps_meets_phi_beyond_eps():
    fig = figures.potential_figure(7, sp.Rational(1, 10), orders=[0, 6], points=120)
    ax0, ax6 = fig.axes
    lines = _lines(ax0)
    r, phi_eps = lines[r"$\Phi_\epsilon$"]
    _, phi = lines[r"$\Phi$ (same scale)"]
    # Lemma B.9, d = 7: Phi = (1 + r + r^2/3) e^{-r} / r^5; both curves over Phi_eps(0) before
    # normalisation, which makes Phi_eps(0) = 1
    closed = (1 + r + r**2 / 3) * np.exp(-r) / r**5
    above = r >= 0.1
    assert np.allclose(phi[above] / closed[above], phi[above][0] / closed[above][0], rtol=1e-10)
    assert np.allclose(phi_eps[above], phi[above], rtol=1e-10)
    assert 0.9 < phi_eps[0] < 1 and np.all(np.diff(phi_eps) < 0)  # Phi_eps(0) = 1, decreasing
    assert np.all(phi_eps[~above] < phi[~above])                 # bounded below eps
    # the top derivative: (-1)^6 Phi_eps^(6) is linear below eps, 0 at the origin
    r6, top = _lines(ax6)[r"$\Phi_\epsilon$"]
    below = r6 < 0.1
    assert np.allclose(top[below] / r6[below], top[below][0] / r6[below][0], rtol=1e-6)
    assert all(np.all(line.get_ydata() > 0) for ax in fig.axes for line in ax.get_lines()[:2])


def test_fourier_figure_is_non_negative_and_matches_the_pure_transform_at_small_rho():
    fig = figures.fourier_figure(3, sp.Rational(1, 10), points=9, dps=15)
    lines = _lines(fig.axes[0])
    label = r"$\mathcal{F}\Phi_\epsilon > 0$ (9 of 9)"
    assert set(lines) == {label, r"$\mathcal{F}\Phi$ (same scale)"}         # no negative, none unresolved
    rho, f_eps = lines[label]
    rho_ref, f_ref = lines[r"$\mathcal{F}\Phi$ (same scale)"]
    # the dashed curve is F(e^{-r}/r) = 4 pi / (1 + rho^2) in R^3 over one constant (Phi_eps(0))
    scale = 4 * np.pi / (1 + rho_ref**2) / f_ref
    assert np.allclose(scale, scale[0], rtol=1e-12)
    # below eps the potentials differ only on a ball of radius 1/10: the transforms agree at small rho
    assert f_eps[0] == pytest.approx(f_ref[0], rel=1e-2)
    assert np.all(f_eps > 0)


def test_activation_figure_is_lemma_b10_profile():
    fig = figures.activation_figure(3, points=20)
    r, h = fig.axes[0].get_lines()[0].get_data()
    # Lemma B.10: h(r) = K_1(r) / (pi^{3/2} r)
    expected = [float(mpmath.besselk(1, x) / (mpmath.pi**1.5 * x)) for x in r]
    assert np.allclose(h, expected, rtol=1e-12)
    _, sigma = fig.axes[1].get_lines()[0].get_data()
    # Theorem 2.1: sigma(x) = (2 pi)^{d/4} e^{|x|^2/4} h(|x|), d = 3
    assert np.allclose(sigma, (2 * np.pi)**0.75 * np.exp(r**2 / 4) * np.array(expected), rtol=1e-12)


@pytest.mark.slow
def test_harmonic_figures_writes_png_and_pdf(tmp_path, capsys):
    assert main(["figures", "--out", str(tmp_path), "--d", "3", "--no-progress", "--json"]) == 0
    written = json.loads(capsys.readouterr().out)["written"]
    stems = ["potential_derivatives", "fourier_phi_eps", "activation_profile", "trajectories",
             "descent_curves"]
    # then, from the checkout's stored paper-protocol runs (data/), Figures 1-2 under the paper's protocol
    paper = ["figure1-paper-protocol", "figure2-paper-protocol", "learning-curves-paper-protocol"]
    if written[len(stems) * 2:]:
        assert written[len(stems) * 2:] == [str(tmp_path / f"{s}.{ext}") for s in paper for ext in ("png", "pdf")]
    written = written[:len(stems) * 2]
    assert written == [str(tmp_path / f"{s}.{ext}") for s in stems for ext in ("png", "pdf")]
    for s in stems:
        assert (tmp_path / f"{s}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        pdf = (tmp_path / f"{s}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf     # reproducible bytes


def test_figures_without_matplotlib_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)     # import now raises ImportError
    assert main(["figures", "--out", str(tmp_path), "--no-progress"]) == 1
    out, err = capsys.readouterr()
    assert err == ("harmonic figures: error: figures need matplotlib: "
                   "pip install 'harmonic-electrodynamics[plots]'\n")
