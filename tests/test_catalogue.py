"""The catalogue of potentials (harmonic.exact.catalogue): one entry makes a potential available
to every layer. The Cauchy potential (1 + r^2)^{-(d+1)/2} is the walk-through of
docs/design-notes.md: it was added as one catalogue entry, and these tests take it through
transforms, realizability, the loss and descent, recovery, the command line and the tables.

Reference values come from elsewhere: the Poisson kernel's Fourier transform
(1 + |x|^2)^{-(d+1)/2} -> pi^{(d+1)/2}/Gamma((d+1)/2) e^{-|omega|} (Stein & Weiss,
Introduction to Fourier Analysis on Euclidean Spaces, Ch. I, Thm 1.14), finite differences
of the loss, and each entry's own definition evaluated by an independent route.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import CATALOGUE, RHO, R, RadialPotential, SpherePotential, entries, potential


@pytest.mark.parametrize("entry", entries(), ids=[e.name for e in entries()])
def test_every_entry_builds_and_its_views_agree(entry):
    f = entry(**entry.example)
    assert isinstance(f, RadialPotential if entry.geometry == "radial" else SpherePotential)
    var = f.r if entry.geometry == "radial" else f.var
    points = ("0.3", "0.9", "2.5") if entry.geometry == "radial" else ("-0.5", "0.25", "0.75")
    for x in points:
        exact = f.expr.subs(var, sp.Rational(x))
        direct = sp.N(exact, 25)               # sympy's own evaluation of the definition
        if not direct.is_finite:
            continue
        with mpmath.workdps(30):
            assert abs(f.mp(mpmath.mpf(x), 25) - mpmath.mpf(str(direct))) < 1e-20 * max(1, abs(direct))
        assert f.numpy(0)(np.array([float(x)]))[0] == pytest.approx(float(direct), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("entry", entries("radial"), ids=[e.name for e in entries("radial")])
def test_radial_structure_rebuilds_the_potential(entry):
    """The structure the transforms read is the potential (compared at points, with mpmath)."""
    f = entry(**entry.example)
    rebuilt = sp.lambdify(R, f.structure.expr(R), modules="mpmath")
    with mpmath.workdps(30):
        for x in ("0.05", "0.45", "1.7", "4"):
            value = f.mp(mpmath.mpf(x), 25)
            assert abs(rebuilt(mpmath.mpf(x)) - value) <= mpmath.mpf(10)**-22 * max(1, abs(value))


def test_structure_is_declared_where_the_constructor_knows_it():
    lam = potential("lam_harmonic", d=7)
    (term,) = lam.structure.bessel_k
    assert term.b == sp.Rational(-5, 2) and term.a == 1 and lam.structure.pieces == ()
    phi = potential("phi_eps", d=3, eps=sp.Rational(1, 2))
    lower, upper = phi.structure.pieces
    assert (lower.lo, lower.hi, upper.lo, upper.hi) == (0, sp.Rational(1, 2), sp.Rational(1, 2), sp.oo)
    assert lower.exp_poly is not None and upper.exp_poly is not None
    cauchy = potential("cauchy", d=3)
    assert cauchy.structure.matern[0].nu == 2 and cauchy.structure.pieces == ()


@pytest.mark.parametrize("call, match", [
    (lambda: potential("nope"), "unknown potential 'nope'; the catalogue has gaussian"),
    (lambda: potential("gaussian", d=3), "takes the parameters c; got d"),
    (lambda: potential("phi_eps", d=3), "needs eps"),
    (lambda: potential("phi_eps", d=4, eps=0.5), "Lemma 4.2 needs an odd integer dimension"),
    (lambda: potential("phi_eps", d=3, eps=2), r"Lemma 4.2 needs eps in \(0, 1\)"),
    (lambda: potential("gaussian", c=-1), "Theorem F.4.*c > 0"),
    (lambda: potential("polynomial", l=-1), "Theorem G.3.*l >= 0"),
    (lambda: potential("cauchy", d=0), "Cauchy potential needs a positive integer dimension"),
])
def test_bad_parameters_name_the_hypothesis(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_sphere_potentials_are_duals_of_their_activations():
    """Lemma B.1: f(rho) = E[sigma(X) sigma(Y)], checked by the precise layer's quadrature."""
    from harmonic.precise import dual
    for name in ("sign", "relu", "erf", "exp"):
        f = potential(name)
        act = sp.lambdify(f.X, f.activation, modules="mpmath")
        q = dual(act, mpmath.mpf("0.3"), dps=20, breakpoints=f.breakpoints)
        assert abs(q.value - f.mp("0.3", 20)) < 1e-15, name
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        potential("sign").mp(1.5)


# -- the Cauchy walk-through ----------------------------------------------------------------

def _poisson(d: int, rho) -> mpmath.mpf:
    """The Poisson kernel's transform (Stein & Weiss), the reference."""
    return mpmath.pi**(mpmath.mpf(d + 1) / 2) / mpmath.gamma(mpmath.mpf(d + 1) / 2) * mpmath.exp(-rho)


@pytest.mark.parametrize("d", [1, 3, 4])
def test_cauchy_transform_is_the_poisson_kernel(d):
    from harmonic.precise import radial_fourier
    f = potential("cauchy", d=d)
    with mpmath.workdps(30):
        for rho in ("0", "0.7", "6"):
            res = radial_fourier(f, d, rho, dps=25)
            ref = _poisson(d, mpmath.mpf(rho))
            assert abs(res.value - ref) < 1e-20 * ref


def test_cauchy_is_realizable_and_a_perturbed_one_is_not():
    from harmonic.precise import realizability
    assert realizability(potential("cauchy", d=3), 3, dps=20).realizable is True
    # F = pi^2 e^{-rho} - (4 pi)^{3/2}/4 e^{-rho^2}: 9.87 - 11.14 < 0 at rho = 0
    bad = RadialPotential(potential("cauchy", d=3).expr - sp.exp(-R**2 / 4) / 4)
    assert realizability(bad, 3, dps=20).realizable is False


def test_cauchy_in_the_loss_and_descent():
    from harmonic.fast import descent
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import fast_potential
    phi = fast_potential("cauchy", d=3)
    assert phi.regularity == "smooth" and phi.dimension == 3
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(2, 3)), np.array([1.0, -0.5])
    loss = Loss(phi, b, w)
    a, theta = np.array([0.3, 0.2]), rng.normal(size=(2, 3))
    x = loss.pack(a, theta)
    g = loss.grad(a, theta)
    h = 1e-6
    value = lambda y: loss.value(*loss.unpack(y))
    fd = np.array([(value(x + h * e) - value(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)
    res = descent.gd(descent.loss_objective(loss), x, alpha=1e-2, T=200, progress=False)
    assert res.value < value(x)


def test_cauchy_in_recovery_cli_and_tables(tmp_path):
    import subprocess
    import sys

    from harmonic.fast.recovery import RecoveryConfig, make_potential, recovery_sweep
    from harmonic.report.tables import catalogue_table
    assert make_potential("cauchy", 3).name == "Cauchy (d=3)"
    ((_, summary, _),) = recovery_sweep([RecoveryConfig("cauchy", 3, 2, "secondgd", T=50)], [0], progress=False)
    assert summary.n == 1
    out = subprocess.run([sys.executable, "-c", "import sys; from harmonic.cli import main; sys.exit(main())",
                          "descend", "--potential", "cauchy", "--d", "3", "--k", "2", "--T", "20", "--no-progress"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "cauchy potential" in out.stdout, out.stderr
    rows = catalogue_table(dps=15).rows
    names = [r[0].replace(r"\allowbreak{}", "").replace(r"\_", "_")[len(r"\texttt{"):-1] for r in rows]
    assert names == list(CATALOGUE)
    verdicts = dict(zip(names, (r[4] for r in rows)))
    assert verdicts["cauchy"].startswith("yes") and verdicts["ball"].startswith("no")
