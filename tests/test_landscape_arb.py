"""The certified landscape (harmonic.precise.landscape_arb): loss, gradient and Hessian in Arb
balls, rigorous symmetric eigenvalues, Rayleigh bounds and Krawczyk's test.

Reference values come from elsewhere: mpmath at 50 digits from the closed form of the loss,
the float64 fast layer (an independent implementation of the same formulas), finite
differences of the certified gradient, exact rational matrices with known spectra, and
mpmath's findroot for a critical point."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import arb, arb_mat, ctx
from scipy.optimize import minimize

from harmonic.fast.loss import FixedChargeLoss, Loss, NodeLoss
from harmonic.fast.potentials import gaussian, harmonic, phi_eps
from harmonic.precise.landscape_arb import (CertifiedLoss, krawczyk_critical_point, min_eigenvalue,
                                            negative_curvature, norm_upper, symmetric_eigenvalues,
                                            to_ball)


def _mid(H, n):
    return np.array([[float(H[p, q].mid()) for q in range(n)] for p in range(n)])


def test_value_contains_the_closed_form_and_excludes_a_perturbed_point():
    # one unit a = -1 at theta = (3/10, 0), one target b = 1 at 0, Gaussian c = 1:
    # L = 1 - 2 e^{-9/200} + 1 (self terms Phi(0) = 1)
    C = CertifiedLoss(Loss(gaussian(1), [1.0], [[0.0, 0.0]]))
    v = C.value([-1], [[Fraction(3, 10), 0]])
    with mpmath.workdps(50):
        ref = 2 - 2 * mpmath.exp(-mpmath.mpf(9) / 200)
    ref_ball = arb(mpmath.nstr(ref, 48), 1e-46)
    assert v.overlaps(ref_ball) and v.rad() < 1e-35
    moved = C.value([-1], [[Fraction(3, 10) + Fraction(1, 10**12), 0]])
    assert not moved.overlaps(ref_ball)


@pytest.mark.parametrize("pot", [gaussian(1), phi_eps(3, 0.5), gaussian(2)],
                         ids=["gaussian1", "phi_eps", "gaussian2"])
@pytest.mark.parametrize("options", [{}, {"regularized": True}, {"self_terms": False, "constant": False}])
def test_loss_matches_the_fast_layer(pot, options):
    rng = np.random.default_rng(3)
    w, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    a, th = rng.normal(size=3), rng.normal(size=(3, 3))
    L = Loss(pot, b, w, **options)
    e, f = CertifiedLoss(L).evaluate(a, th), L.evaluate(a, th)
    scale = 1 + np.abs(f.hess).max()
    assert abs(float(e.value.mid()) - f.value) < 1e-13 * scale
    assert max(abs(float(x.mid()) - y) for x, y in zip(e.grad, f.grad)) < 1e-13 * scale
    assert np.abs(_mid(e.hess, 12) - f.hess).max() < 1e-13 * scale
    assert max(float(x.rad()) for x in e.grad) < 1e-30


def test_hessian_is_the_derivative_of_the_certified_gradient():
    rng = np.random.default_rng(5)
    L = Loss(phi_eps(3, 0.5), rng.normal(size=2), rng.normal(size=(2, 3)), regularized=True)
    C = CertifiedLoss(L, prec=200)
    x = np.concatenate([rng.normal(size=2), rng.normal(size=6)])
    H = C.hess(*L.unpack(x))
    h = 1e-20
    for p in range(8):
        xp, xm = x.astype(object), x.astype(object)
        xp[p] = Fraction(x[p]) + Fraction(h)
        xm[p] = Fraction(x[p]) - Fraction(h)
        gp = C.grad(list(xp[:2]), np.array(list(xp[2:])).reshape(2, 3))
        gm = C.grad(list(xm[:2]), np.array(list(xm[2:])).reshape(2, 3))
        for q in range(8):
            fd = (gp[q] - gm[q]) / (2 * arb(h))
            assert abs(float(fd.mid()) - float(H[q, p].mid())) < 1e-15


def test_node_and_fixed_charge_losses():
    rng = np.random.default_rng(7)
    w, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    N = NodeLoss(gaussian(1), b, w, fixed_a=[0.3], fixed_theta=[[0.1, 0.2, 0.3]], regularized=True)
    e, f = CertifiedLoss(N).evaluate(0.7, [0.5, 0.1, -0.2]), N.evaluate(0.7, [0.5, 0.1, -0.2])
    assert abs(float(e.value.mid()) - f.value) < 1e-14 and np.abs(_mid(e.hess, 4) - f.hess).max() < 1e-14
    F = FixedChargeLoss(harmonic(3), w)
    th = rng.normal(size=(3, 3))
    e, f = CertifiedLoss(F).evaluate(th), F.evaluate(th)
    assert abs(float(e.value.mid()) - f.value) < 1e-12 * abs(f.value)
    assert np.abs(_mid(e.hess, 9) - f.hess).max() < 1e-12 * np.abs(f.hess).max()


def test_bad_inputs_name_the_hypothesis():
    L = Loss(phi_eps(3, 0.5), [1.0], [[0.0, 0.0, 0.0]])
    C = CertifiedLoss(L)
    with pytest.raises(ValueError, match="coincidence"):
        C.grad([-1], [[0, 0, 0]])
    assert C.value([-1], [[0, 0, 0]]).contains(0)          # the value exists at the cusp
    with pytest.raises(ValueError, match="breakpoint"):
        C.grad([-1], [[arb(0.5, 1e-3), 0, 0]])             # |theta - w| straddles eps = 1/2
    with pytest.raises(ValueError, match="shape"):
        C.value([-1, 1], [[0, 0, 1]])
    with pytest.raises(ValueError, match="prec"):
        CertifiedLoss(L, prec=8)
    with pytest.raises(ValueError, match="finite"):
        C.value([float("nan")], [[0, 0, 1]])
    with pytest.raises(ValueError, match="Loss, NodeLoss or FixedChargeLoss"):
        CertifiedLoss(object())


def _exact(q: Fraction) -> arb:
    with ctx.workprec(300):
        return arb(q.numerator) / q.denominator


def _rotation_spectrum(eigs):
    # Q = rotation with cos = 3/5, sin = 4/5 in the (0, 1) plane: an exact rational orthogonal matrix
    n = len(eigs)
    Q = [[Fraction(int(p == q)) for q in range(n)] for p in range(n)]
    Q[0][0], Q[0][1], Q[1][0], Q[1][1] = Fraction(3, 5), Fraction(-4, 5), Fraction(4, 5), Fraction(3, 5)
    return [[sum(Q[p][t] * eigs[t] * Q[q][t] for t in range(n)) for q in range(n)] for p in range(n)]


@pytest.mark.parametrize("eigs", [[Fraction(-1, 3), Fraction(2), Fraction(7, 2)],
                                  [Fraction(2), Fraction(2), Fraction(-5)],          # repeated
                                  [Fraction(1, 10**9), Fraction(1), Fraction(1)]])
def test_symmetric_eigenvalues_contain_a_known_spectrum(eigs):
    H = _rotation_spectrum(eigs)
    enc = symmetric_eigenvalues(H)
    for e, ref in zip(enc, sorted(eigs)):
        assert e.contains(_exact(ref))
        assert e.rad() < 1e-30
    # H + 10^-6 I: its enclosure excludes the old smallest eigenvalue
    for p in range(len(H)):
        H[p][p] += Fraction(1, 10**6)
    lo = min_eigenvalue(H)
    old = sorted(eigs)[0]
    assert not lo.contains(_exact(old))


def test_symmetric_eigenvalues_hold_for_every_matrix_in_the_balls():
    H = arb_mat([[arb(2, 1e-3), arb(1)], [arb(1), arb(2)]])        # eigenvalues 1, 3 (+- 1e-3)
    lo, hi = symmetric_eigenvalues(H)
    for t in (-1e-3, 0, 1e-3):
        m = np.array([[2 + t, 1], [1, 2]])
        ev = np.linalg.eigvalsh(m)
        assert lo.lower() <= ev[0] <= lo.upper() and hi.lower() <= ev[1] <= hi.upper()
    with pytest.raises(ValueError, match="symmetric"):
        symmetric_eigenvalues([[1, 2], [3, 1]])
    with pytest.raises(ValueError, match="square"):
        symmetric_eigenvalues(arb_mat(2, 3))


def test_negative_curvature_is_a_rayleigh_bound():
    H = _rotation_spectrum([Fraction(-1), Fraction(1), Fraction(2)])
    q = negative_curvature(H, [Fraction(3, 5), Fraction(4, 5), 0])       # the exact eigenvector
    assert q.contains(-1) and q < 0
    assert negative_curvature(H, [0, 0, 1]).contains(2)
    with pytest.raises(ValueError, match="non-zero"):
        negative_curvature(H, [0, 0, 0])
    assert norm_upper([to_ball(3), to_ball(4)]) >= 5
    tiny = arb(10)**-4000                                  # far below the float range
    assert norm_upper([tiny, tiny]) >= tiny and norm_upper([tiny]) > 0


def _fixed_two_charges():
    return CertifiedLoss(FixedChargeLoss(gaussian(1), [[0.0], [2.5]], k=1))


def test_krawczyk_proves_a_minimum_that_findroot_confirms():
    C = _fixed_two_charges()
    F = C.loss
    res = minimize(lambda x: F.value(x.reshape(1, 1)), [0.2], jac=lambda x: F.grad(x.reshape(1, 1)),
                   method="BFGS", tol=1e-14)
    K = krawczyk_critical_point(C, res.x, 1e-8)
    assert K.proved and K.kind == "minimum"
    # independent: the zero of L'(t) = 2 t e^{-t^2/2} + 2 (t - 5/2) e^{-(t - 5/2)^2/2} by mpmath
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda t: t * mpmath.exp(-t**2 / 2) + (t - mpmath.mpf(5) / 2)
                               * mpmath.exp(-(t - mpmath.mpf(5) / 2)**2 / 2), 0.15)
    assert abs(float(root) - res.x[0]) <= 1e-8
    # the same test rejects a box that holds no critical point
    assert not krawczyk_critical_point(C, res.x + 1e-3, 1e-8).proved


def test_krawczyk_classifies_a_maximum_and_a_saddle():
    C = _fixed_two_charges()
    K = krawczyk_critical_point(C, [1.25], 1e-8)       # the midpoint, by symmetry a critical point
    assert K.proved and K.kind == "maximum"
    L = Loss(gaussian(1), [1.0, 1.0], [[0.0, 0.0], [3.0, 0.0]], regularized=True)
    x0 = np.concatenate([[-0.5, -0.5], [0.1, 0.1, 3.1, 0.1]])
    res = minimize(lambda x: L.value(*L.unpack(x)), x0, jac=lambda x: L.grad(*L.unpack(x)),
                   method="BFGS", options={"gtol": 1e-13})
    K = krawczyk_critical_point(CertifiedLoss(L), res.x, 1e-9)
    assert K.proved and K.kind == "minimum" and K.value > 0
    with pytest.raises(ValueError, match="radius"):
        krawczyk_critical_point(C, [1.25], 0)
    with pytest.raises(ValueError, match="variables"):
        krawczyk_critical_point(C, [1.25, 0.0], 1e-8)


def test_precision_is_restored():
    before = ctx.prec
    CertifiedLoss(Loss(gaussian(1), [1.0], [[0.0]]), prec=300).hess([-1], [[0.5]])
    assert ctx.prec == before
