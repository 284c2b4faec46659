r"""Tests of the fast loss (1), G, the node-restricted loss (Section 4.1, eq. (4)) and the
fixed-charge loss (3).

Reference values are computed independently of the code under test, each naming its source:

- **mpmath at 30+ digits**: the loss (1) summed pair by pair in mpmath from the *exact*
  layer's ``RadialPotential.mp`` (radial) or from the sympy f(rho) lambdified to mpmath in
  this file (sphere), with the paper's self-energy convention Phi(theta, theta) (Section 2.1);
  gradients by ``mpmath.diff`` of that scalar function along each coordinate (never from
  the analytic formulas under test);
- **central finite differences** of the value (-> gradient) and of the analytic gradient
  (-> Hessian), step chosen per scale (a fraction of the smallest pair distance);
- identities of the paper: the global minimum a = -b, theta = w of (1) (Section 2.1);
  Laplacian of a harmonic potential is 0 (Appendix C, Earnshaw) and of a lambda-harmonic
  one is lambda Phi (Theorem 3.6's proof), so the trace of each theta_i-block is known;
  (2), (3) and (4) are (1) minus stated constant terms / restricted (Sections 3, F, G).
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import R, RadialPotential
from harmonic.fast.loss import FixedChargeLoss, Loss, LossDerivatives, NodeLoss, regularized
from harmonic.exact import RHO
from harmonic.fast.potentials import (exponential, gaussian, harmonic, lam_harmonic,
                                      phi_eps, polynomial, radial, sign_dual, sphere)

HALF = sp.Rational(1, 2)

# potentials built once (sympy work is the slow part)
POT = {
    "gaussian": gaussian(sp.Rational(3, 2)),
    "phi_eps_d3": phi_eps(3, HALF),
    "phi_eps_d7": phi_eps(7, HALF),
    "exponential": exponential(),
    "coulomb_d3": harmonic(3),
    "yukawa_d3": lam_harmonic(3),
    "poly3": polynomial(3),
    "poly4": polynomial(4),
    "sign_dual": sign_dual(),
    "exp_rho": sphere(sp.exp(RHO - 1), name="exp(rho - 1)"),
}
DIM = {"phi_eps_d3": 3, "phi_eps_d7": 7, "coulomb_d3": 3, "yukawa_d3": 3}
RADIAL = ["gaussian", "phi_eps_d3", "phi_eps_d7", "exponential", "coulomb_d3", "yukawa_d3"]
SPHERE = ["poly3", "poly4", "sign_dual", "exp_rho"]


def instance(name, k=3, m=4, seed=0, scale=0.7):
    """A random (a, theta, b, w) for potential ``name``; unit rows on the sphere."""
    rng = np.random.default_rng(seed)
    d = DIM.get(name, 3)
    w = rng.normal(scale=scale, size=(m, d))
    theta = rng.normal(scale=scale, size=(k, d))
    if name in SPHERE:
        w /= np.linalg.norm(w, axis=1)[:, None]
        theta /= np.linalg.norm(theta, axis=1)[:, None]
    return rng.normal(size=k), theta, rng.uniform(-1, 1, size=m), w


def fd_grad(fun, x, h):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (fun(x + e) - fun(x - e)) / (2 * h)
    return g


def fd_hess(grad, x, h):
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T


def flat(L):
    return (lambda x: L.value(*L.unpack(x))), (lambda x: L.grad(*L.unpack(x)))


def min_distance(theta, w):
    pts = np.vstack([theta, w])
    diff = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    return diff[~np.eye(len(pts), dtype=bool)].min()


# -- independent mpmath reference ---------------------------------------------------------------

def mp_loss_fn(name, b, w, k, dps):
    """x (mpf list, flat (a, theta)) -> loss (1) in mpmath, summed pair by pair."""
    pot = POT[name]
    d = w.shape[1]
    if name in SPHERE:
        f_mp = sp.lambdify(RHO, pot.expr, modules="mpmath")

        def phi(p, q):
            return f_mp(mpmath.fsum(pi * qi for pi, qi in zip(p, q)))
    else:
        def phi(p, q):
            r = mpmath.sqrt(mpmath.fsum((pi - qi)**2 for pi, qi in zip(p, q)))
            return pot.exact.mp(r, mpmath.mp.dps)     # at the current working precision
    se = mpmath.mpf(pot.self_energy)
    W = [[mpmath.mpf(float(v)) for v in row] for row in w]
    B = [mpmath.mpf(float(v)) for v in b]

    def L(x):
        a = x[:k]
        th = [x[k + i * d:k + (i + 1) * d] for i in range(k)]
        s = mpmath.mpf(0)
        for i in range(k):
            s += a[i] ** 2 * se
            for j in range(k):
                if j != i:
                    s += a[i] * a[j] * phi(th[i], th[j])
            for j in range(len(B)):
                s += 2 * a[i] * B[j] * phi(th[i], W[j])
        for i in range(len(B)):
            for j in range(len(B)):
                s += B[i] * B[j] * (se if i == j else phi(W[i], W[j]))
        return s
    return L


def mp_value_grad(name, a, theta, b, w, dps=30):
    k = len(a)
    x0 = [mpmath.mpf(float(v)) for v in np.concatenate([a, theta.ravel()])]
    with mpmath.workdps(dps + 10):
        L = mp_loss_fn(name, b, w, k, dps)
        value = L(x0)
        grad = []
        for i in range(len(x0)):
            def line(t, i=i):
                x = list(x0)
                x[i] = x[i] + t
                return L(x)
            grad.append(mpmath.diff(line, 0))
    return value, grad


def radial_eps_crossing(name, seed=0):
    """theta_1 at distance 0.9 eps from w_1 and theta_2 at 1.1 eps from w_2 (Lemma 4.2's switch)."""
    a, theta, b, w = instance(name, k=2, m=3, seed=seed)
    rng = np.random.default_rng(seed + 1)
    u = rng.normal(size=(2, w.shape[1]))
    u /= np.linalg.norm(u, axis=1)[:, None]
    theta[0] = w[0] + 0.45 * u[0]
    theta[1] = w[1] + 0.55 * u[1]
    return a, theta, b, w


@pytest.mark.parametrize("name", ["gaussian", "phi_eps_d3", "phi_eps_d7", "yukawa_d3",
                                  "poly3", "sign_dual", "exp_rho"])
def test_value_and_gradient_against_mpmath_30_digits(name):
    if name.startswith("phi_eps"):
        a, theta, b, w = radial_eps_crossing(name)     # pairs on both sides of r = eps
    else:
        a, theta, b, w = instance(name, k=2, m=3)
    L = Loss(POT[name], b, w, k=len(a))
    value, grad = mp_value_grad(name, a, theta, b, w)
    out = L.evaluate(a, theta, order=1)
    scale = max(1.0, float(abs(value)))
    assert abs(out.value - float(value)) <= 1e-13 * scale
    gref = np.array([float(g) for g in grad])
    np.testing.assert_allclose(out.grad, gref, rtol=1e-11, atol=1e-12 * np.abs(gref).max())


def test_mpmath_reference_sees_a_wrong_gradient():
    """Negative control: the 30-digit reference rejects a gradient with Phi' off by 1e-9."""
    a, theta, b, w = instance("gaussian", k=2, m=3)
    _, grad = mp_value_grad("gaussian", a, theta, b, w, dps=20)
    g = Loss(POT["gaussian"], b, w, k=2).grad(a, theta) * (1 + 1e-9)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(g, [float(v) for v in grad], rtol=1e-11)


# -- finite differences -------------------------------------------------------------------------

@pytest.mark.parametrize("regular", [False, True], ids=["L", "G"])
@pytest.mark.parametrize("name", RADIAL + SPHERE)
def test_gradient_and_hessian_against_finite_differences(name, regular):
    a, theta, b, w = instance(name, k=3, m=4, seed=3)
    L = Loss(POT[name], b, w, k=3, regularized=regular)
    f, g = flat(L)
    x = L.pack(a, theta)
    h = 1e-4 * min(1.0, min_distance(theta, w))
    out = L.evaluate(a, theta)
    g_fd = fd_grad(f, x, h)
    H_fd = fd_hess(g, x, h)
    np.testing.assert_allclose(out.grad, g_fd, rtol=0, atol=1e-6 * np.abs(g_fd).max())
    np.testing.assert_allclose(out.hess, H_fd, rtol=0, atol=1e-6 * np.abs(H_fd).max())
    assert np.array_equal(out.hess, out.hess.T)            # exactly symmetric


@pytest.mark.parametrize("name", ["gaussian", "phi_eps_d3", "exponential", "coulomb_d3", "poly3"])
@pytest.mark.parametrize("r", [1e-3, 1e-6], ids=["r=1e-3", "r=1e-6"])
def test_near_coincident_points(name, r):
    """theta_1 at distance r from w_2 and theta_2 at distance r from theta_3 (k = 3)."""
    a, theta, b, w = instance(name, k=3, m=4, seed=5)
    rng = np.random.default_rng(11)
    u = rng.normal(size=(2, theta.shape[1]))
    u /= np.linalg.norm(u, axis=1)[:, None]
    theta[0] = w[1] + r * u[0]
    theta[1] = theta[2] + r * u[1]
    if name in SPHERE:
        theta /= np.linalg.norm(theta, axis=1)[:, None]
    L = Loss(POT[name], b, w, k=3)
    f, g = flat(L)
    x = L.pack(a, theta)
    h = 1e-3 * r
    out = L.evaluate(a, theta)
    assert np.all(np.isfinite(out.hess))
    H_fd = fd_hess(g, x, h)
    np.testing.assert_allclose(out.hess, H_fd, rtol=0, atol=1e-5 * np.abs(H_fd).max())
    g_fd = fd_grad(f, x, h)
    np.testing.assert_allclose(out.grad, g_fd, rtol=0, atol=1e-5 * np.abs(g_fd).max())


def test_exact_coincidence_smooth_potential_is_the_limit():
    """Gaussian (smooth): at theta_1 = w_2 and theta_2 = theta_3 the gradient and Hessian are
    the limits r -> 0 (analytic limit Phi'(0) = 0, Hessian Phi''(0) I) and match FD."""
    a, theta, b, w = instance("gaussian", k=3, m=4, seed=7)
    theta[0] = w[1]
    theta[1] = theta[2]
    L = Loss(POT["gaussian"], b, w, k=3)
    out = L.evaluate(a, theta)
    assert np.all(np.isfinite(out.hess))
    f, g = flat(L)
    x = L.pack(a, theta)
    np.testing.assert_allclose(out.hess, fd_hess(g, x, 1e-5), atol=1e-8 * np.abs(out.hess).max())
    np.testing.assert_allclose(out.grad, fd_grad(f, x, 1e-5), atol=1e-8 * np.abs(out.grad).max())
    # continuity: the value at the coincidence is the limit of nearby values
    v = np.random.default_rng(0).normal(size=theta.shape[1])
    near = theta.copy()
    near[0] = w[1] + 1e-7 * v
    np.testing.assert_allclose(L.hess(a, near), out.hess, atol=1e-6 * np.abs(out.hess).max())
    # the single term's Hessian at r = 0 is Phi''(0) I = -c I (c = 3/2) times 2 a_1 b_2
    one = Loss(POT["gaussian"], [b[1]], [w[1]])
    H = one.hess([a[0]], [w[1]])
    np.testing.assert_allclose(H[1:, 1:], 2 * a[0] * b[1] * (-1.5) * np.eye(3), rtol=1e-15)


@pytest.mark.parametrize("name", ["phi_eps_d3", "exponential", "coulomb_d3", "sign_dual"])
def test_exact_coincidence_nonsmooth_potential_raises(name):
    a, theta, b, w = instance(name, k=3, m=4, seed=8)
    theta[0] = w[1]
    L = Loss(POT[name], b, w, k=3)
    order = 0 if name == "coulomb_d3" else 1
    with pytest.raises(ValueError, match=r"theta\[0\].*w\[1\]"):
        L.evaluate(a, theta, order=order)
    if name != "coulomb_d3":
        assert np.isfinite(L.value(a, theta))                # Phi(0) finite: the value exists


def test_zero_coefficient_coincidences_contribute_zero():
    """Switched-off units (a_j = 0, Section 4.1) may sit anywhere, even on each other."""
    a, theta, b, w = instance("phi_eps_d3", k=3, m=4, seed=9)
    a[1:] = 0.0
    theta[1] = theta[2] = w[0]
    L = Loss(POT["phi_eps_d3"], b, w, k=3)
    g = L.grad(a, theta)
    assert np.all(np.isfinite(g)) and np.all(g[3 + 3:] == 0)
    with pytest.raises(ValueError, match="Hessian"):       # d^2/da_j dtheta_j needs Phi'(0)
        L.hess(a, theta)


# -- identities of the paper ---------------------------------------------------------------------

@pytest.mark.parametrize("name", RADIAL + SPHERE)
def test_global_minimum(name):
    """a = -b, theta = w: L = 0 exactly (Section 2.1's re-parametrisation), gradient 0 (on the
    sphere: its tangential part; the Euclidean gradient of the ambient extension is normal)."""
    if name in ("coulomb_d3", "yukawa_d3"):               # Phi(0) = oo: theta_i = w_i is excluded
        _, _, b, w = instance(name, k=3, m=3)
        with pytest.raises(ValueError, match="singular"):
            Loss(POT[name], b, w).value(-b, w)
        return
    if name in ("phi_eps_d3", "phi_eps_d7", "exponential", "sign_dual"):   # cusps: value only
        _, _, b, w = instance(name, k=3, m=3)
        assert Loss(POT[name], b, w).value(-b, w) == pytest.approx(0, abs=1e-12)
        return
    _, _, b, w = instance(name, k=3, m=3)
    L = Loss(POT[name], b, w)
    out = L.evaluate(-b, w, order=1)
    assert out.value == pytest.approx(0, abs=1e-12)
    g = out.grad
    if name in SPHERE:
        gt = g[3:].reshape(3, -1)
        g = np.r_[g[:3], (gt - np.sum(gt * w, axis=1)[:, None] * w).ravel()]
    np.testing.assert_allclose(g, 0, atol=1e-12)


def test_laplacian_identities_earnshaw_and_lambda_harmonic():
    """tr of the theta_i block: 0 for 1/r in R^3 (Appendix C), lambda * (the theta-dependent
    part of dL/da_i) * a_i for e^{-r}/r (Theorem 3.6's proof, lambda = 1) and for Phi_eps when
    every pair is at r >= eps (Lemma 4.2)."""
    for name, lam in (("coulomb_d3", 0.0), ("yukawa_d3", 1.0), ("phi_eps_d7", 1.0)):
        a, theta, b, w = instance(name, k=3, m=4, seed=1, scale=2.0)
        assert min_distance(theta, w) > 0.5
        L = Loss(POT[name], b, w, k=3)
        out = L.evaluate(a, theta)
        k, d = 3, theta.shape[1]
        Lno = Loss(POT[name], b, w, k=3, self_terms=False, constant=False)
        ga = Lno.grad(a, theta)[:k]                      # 2 sum_{j!=i} a_j Phi + 2 sum_j b_j Phi
        for i in range(k):
            blk = out.hess[k + i * d:k + (i + 1) * d, k + i * d:k + (i + 1) * d]
            assert np.trace(blk) == pytest.approx(lam * a[i] * ga[i], abs=1e-9 * np.abs(blk).max())


def test_regularized_is_L_plus_norm_a():
    a, theta, b, w = instance("gaussian")
    L, G = Loss(POT["gaussian"], b, w, k=3), regularized(POT["gaussian"], b, w, k=3)
    assert G.value(a, theta) == pytest.approx(L.value(a, theta) + a @ a, rel=1e-14)
    dg = G.grad(a, theta) - L.grad(a, theta)
    np.testing.assert_allclose(dg, np.r_[2 * a, np.zeros(theta.size)], atol=1e-13)
    dH = G.hess(a, theta) - L.hess(a, theta)
    np.testing.assert_allclose(dH, np.diag(np.r_[2 * np.ones(3), np.zeros(theta.size)]), atol=1e-13)


def test_eq2_drops_the_constant_terms():
    a, theta, b, w = instance("coulomb_d3", seed=2)
    full = Loss(POT["coulomb_d3"], b, w, k=3)
    bare = Loss(POT["coulomb_d3"], b, w, k=3, self_terms=False, constant=False)
    drop = a @ a * 1.0 + full.constant                 # sum a_i^2 Phi(theta,theta) + const
    assert bare.value(a, theta) == pytest.approx(full.value(a, theta) - drop, rel=1e-13)
    np.testing.assert_allclose(bare.grad(a, theta)[3:], full.grad(a, theta)[3:], rtol=1e-14)


@pytest.mark.parametrize("name", ["gaussian", "coulomb_d3", "poly3"])
def test_fixed_charge_loss_eq3(name):
    _, theta, _, w = instance(name, k=3, m=3, seed=4)
    F = FixedChargeLoss(POT[name], w)
    pot = POT[name]
    # eq. (3) written out pair by pair
    phi = ((lambda p, q: float(pot.phi(np.linalg.norm(p - q)))) if name != "poly3"
           else (lambda p, q: float(p @ q) ** 3))
    ref = (2 * sum(phi(theta[i], theta[j]) for i in range(3) for j in range(i + 1, 3))
           - 2 * sum(phi(theta[i], w[j]) for i in range(3) for j in range(3)))
    assert F.value(theta) == pytest.approx(ref, rel=1e-13)
    L = Loss(pot, np.ones(3), w)
    full = L.evaluate(-np.ones(3), theta)
    out = F.evaluate(theta)
    np.testing.assert_allclose(out.grad, full.grad[3:], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(out.hess, full.hess[3:, 3:], rtol=1e-13, atol=1e-15)
    assert out.hess.shape == (9, 9) and np.array_equal(out.hess, out.hess.T)


@pytest.mark.parametrize("regular", [False, True], ids=["L", "G"])
def test_node_loss_is_the_restriction(regular):
    a, theta, b, w = instance("phi_eps_d3", k=3, m=4, seed=6)
    L = Loss(POT["phi_eps_d3"], b, w, k=3, regularized=regular)
    idx = np.r_[1, 3 + 3 + np.arange(3)]                 # (a_2, theta_2)
    N = L.node(1, a, theta)
    out, full = N.evaluate(a[1], theta[1]), L.evaluate(a, theta)
    assert out.value == pytest.approx(full.value, rel=1e-13)
    np.testing.assert_allclose(out.grad, full.grad[idx], rtol=1e-12)
    np.testing.assert_allclose(out.hess, full.hess[np.ix_(idx, idx)], rtol=1e-12, atol=1e-14)


def test_node_loss_eq4_and_optimal_charge():
    """eq. (4): L(a_1, theta_1) = a_1^2 Phi(theta_1, theta_1) + 2 sum_j a_1 b_j Phi(theta_1, w_j)."""
    _, theta, b, w = instance("poly3", k=1, m=3, seed=3)
    N = NodeLoss(POT["poly3"], b, w, constant=False)
    a1 = 0.7
    ref = a1 ** 2 + 2 * a1 * sum(b[j] * float(theta[0] @ w[j]) ** 3 for j in range(3))
    assert N.value(a1, theta[0]) == pytest.approx(ref, rel=1e-14)
    astar = N.optimal_charge(theta[0])                   # minimiser of a quadratic in a_1
    assert N.grad(astar, theta[0])[0] == pytest.approx(0, abs=1e-14)
    assert astar == pytest.approx(-sum(b[j] * float(theta[0] @ w[j]) ** 3 for j in range(3)))


def test_api_shapes_and_pack_roundtrip():
    a, theta, b, w = instance("gaussian", k=5, m=4)
    L = Loss(POT["gaussian"], b, w, k=5)
    assert (L.k, L.m, L.d, L.n_vars) == (5, 4, 3, 20)
    out = L.evaluate(a, theta)
    assert isinstance(out, LossDerivatives)
    assert out.grad.shape == (20,) and out.hess.shape == (20, 20)
    x = L.pack(a, theta)
    a2, t2 = L.unpack(x)
    assert np.array_equal(a2, a) and np.array_equal(t2, theta)
    assert L.evaluate(a, theta, order=0).grad is None


def test_deterministic():
    a, theta, b, w = instance("phi_eps_d7", k=4, m=4)
    L = Loss(POT["phi_eps_d7"], b, w, k=4)
    h1, h2 = L.hess(a, theta), L.hess(a.copy(), theta.copy())
    assert h1.tobytes() == h2.tobytes()


def test_accepts_exact_layer_objects():
    phi = RadialPotential(sp.exp(-R**2 / 2))
    a, theta, b, w = instance("gaussian")
    np.testing.assert_allclose(Loss(phi, b, w, k=3).hess(a, theta),
                               Loss(gaussian(1), b, w, k=3).hess(a, theta), rtol=1e-14, atol=1e-15)
    assert (Loss(sp.exp(-R), b, w, k=3).value(a, theta)
            == pytest.approx(Loss(exponential(), b, w, k=3).value(a, theta)))


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case, match", [
    ("b_w_mismatch", "same m target units"),
    ("theta_shape", r"theta shape \(3, 3\)"),
    ("a_shape", r"a must have shape \(3,\)"),
    ("k0", "k >= 1"),
    ("m0", "m >= 1"),
    ("nan_theta", "finite"),
    ("inf_b", "finite"),
    ("nan_w", "finite"),
    ("callable", "derivatives"),
    ("undefined_function", "closed form"),
    ("dimension", r"R\^7"),
    ("sphere_not_unit", "S\\^\\(d-1\\)"),
    ("k_bad", "k >= 1"),
    ("order", "order"),
    ("symbolic_param", "symbolic parameters"),
])
def test_bad_input(case, match):
    a, theta, b, w = instance("gaussian", k=3, m=3)
    g = POT["gaussian"]
    with pytest.raises(ValueError, match=match):
        if case == "b_w_mismatch":
            Loss(g, b[:2], w)
        elif case == "theta_shape":
            Loss(g, b, w).value(a, theta[:, :2])
        elif case == "a_shape":
            Loss(g, b, w).value(a[:2], theta)
        elif case == "k0":
            Loss(g, b, w).value(np.zeros(0), np.zeros((0, 3)))
        elif case == "m0":
            Loss(g, np.zeros(0), np.zeros((0, 3)))
        elif case == "nan_theta":
            theta[0, 0] = np.nan
            Loss(g, b, w).grad(a, theta)
        elif case == "inf_b":
            b[0] = np.inf
            Loss(g, b, w)
        elif case == "nan_w":
            w[1, 1] = np.nan
            Loss(g, b, w)
        elif case == "callable":
            Loss(lambda r: np.exp(-r), b, w)
        elif case == "undefined_function":
            radial(sp.Function("f")(R))
        elif case == "dimension":
            Loss(POT["phi_eps_d7"], b, w)
        elif case == "sphere_not_unit":
            Loss(POT["poly3"], b, 2 * w)
        elif case == "k_bad":
            Loss(g, b, w, k=0)
        elif case == "order":
            Loss(g, b, w).evaluate(a, theta, order=3)
        elif case == "symbolic_param":
            c = sp.Symbol("c", positive=True)
            radial(RadialPotential(sp.exp(-c * R), params=[c]))


def test_singular_potential_coincident_targets_raise():
    w = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match=r"w\[0\] = w\[1\]"):
        Loss(POT["coulomb_d3"], [1.0, 1.0], w)
    Loss(POT["coulomb_d3"], [1.0, 0.0], w)               # zero charge: the term is 0


def test_sphere_domain_error():
    _, theta, b, w = instance("sign_dual", k=3, m=3)
    L = Loss(POT["sign_dual"], b, w)
    with pytest.raises(ValueError, match="project theta onto the sphere"):
        L.value(np.ones(3), 3 * theta)
