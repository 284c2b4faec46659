r"""Williamson's theorem: when is a radial potential a non-negative mixture of lens potentials?

The lens (ball-intersection) potential of Lemma B.7, Phi_t = 1_{B_{t/2}} * 1_{B_{t/2}}, has
Phi_t'(r) = -omega_{d-1} 4^{-m} (t^2 - r^2)_+^m, m = (d-1)/2, so with u = r^2

.. math:: g_t(u) := -\Phi_t'(\sqrt u) = c\,t^{2m}\,(1 - u/t^2)_+^{k-1}, \qquad k = \frac{d+1}{2}.

Williamson (Duke Math. J. 23 (1956) 189-207): a function g on (0, oo) with g(oo) = 0 is
k-monotone -- (-1)^j g^{(j)} >= 0 for j <= k-2 and (-1)^{k-2} g^{(k-2)} non-increasing and
convex -- if and only if g(u) = int (1 - tau u)_+^{k-1} d gamma(tau) with gamma >= 0. Hence a
radial Phi with Phi(oo) = 0 is a non-negative mixture of lens potentials,
Phi = int Phi_t d mu(t), exactly when g(u) = -Phi'(sqrt u) is ((d+1)/2)-monotone. Every
lens is realizable (F Phi_t = |F 1_{B_{t/2}}|^2 >= 0), so such a Phi has F Phi >= 0
(Lemma B.6): a *sufficient* condition for Theorem 2.1's hypothesis, in every odd d (not
only d = 3 mod 4). The mixing density is explicit: for C^k pieces,
g(u) = int_u^oo (y - u)^{k-1}/(k-1)! (-1)^k g^{(k)}(y) dy (Taylor from infinity).

The order is k = (d+1)/2 in u, matching the lens's limited smoothness (it is only
C^{(d-1)/2} at r = t, errata of Lemma B.7): g_t is C^{k-2} in u and its (k-1)th derivative
jumps, so a lens is k-monotone but not (k+1)-monotone.

For Phi_eps (Lemma 4.2) the check is decidable exactly, piece by piece:

* r < eps: g(v^2) = -P'(v) with P the polynomial piece. With D = (1/(2v)) d/dv = d/du,
  N_j(v) = v^{2j} (-1)^j D^j g is a polynomial; N_j >= 0 on [0, eps] is proved by exact
  Bernstein coefficients (:func:`~harmonic.exact.signs.bernstein_certificate`).
* r >= eps: Phi = p(r) e^{-s r} r^{2-d} / scale, g = q_1 e^{-s r} r^{1-d} / scale and
  -D [Q e^{-s r} r^{-a}] = (1/2) [(a + s r) Q - r Q'] e^{-s r} r^{-a-2}: the coefficients
  (a - i) Q_i + s Q_{i-1} stay non-negative (deg Q < a), a coefficient certificate on r > 0.
* u = eps^2: Phi_eps is C^{d-1}, so g^{(j)} is continuous for j <= d - 2 >= k - 1; the
  jumps are checked exactly anyway.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from flint import fmpq, fmpq_poly

from .almost import AlmostPotential, SignPatternProof
from .lam_harmonic import LamHarmonicPotential, scaled_coefficients, unit_derivative_poly
from .poly import ExactCoefficients, SurdPoly, fmpq_of
from .radial import R
from .signs import bernstein_certificate, coefficient_certificate, exact_sign, find_negative

__all__ = ["williamson_order", "WilliamsonCertificate", "williamson_certificate",
           "lens_williamson_profile", "williamson_density"]

_V = sp.Symbol("v", positive=True)
_U = sp.Symbol("u", positive=True)


def williamson_order(d) -> int:
    """k = (d+1)/2: the multiple-monotonicity order that characterises lens mixtures in R^d."""
    if isinstance(d, bool) or not isinstance(d, (int, sp.Integer)) or int(d) < 3 or int(d) % 2 == 0:
        raise ValueError(f"Williamson's characterisation of lens mixtures is stated here for odd d >= 3; got d={d!r}")
    return (int(d) + 1) // 2


@dataclass(frozen=True)
class WilliamsonCertificate(SignPatternProof):
    """Exact evidence that g(u) = -Phi'(sqrt u) is k-monotone (or where it is not).

    ``lower[j]``, ``upper[j]``: the certificates of (-1)^j g^{(j)} >= 0 on each piece,
    j = 0..k; ``witnesses``: order -> exact v = r where (-1)^j g^{(j)} < 0 (a refutation);
    ``jumps[j]``: g^{(j)}(eps^2+) - g^{(j)}(eps^2-) (exact), j = 0..k-1. ``failed_orders``
    and ``margin`` are those of :class:`SignPatternProof`; ``holds`` also needs the jumps and
    the scale.
    """

    d: int = 0
    order: int = 0
    jumps: tuple = ()
    scale_positive: bool = False

    @property
    def jumps_ok(self) -> bool:
        """g^{(j)} continuous for j <= k-2; (-1)^k times the jump of g^{(k-1)} >= 0 (convexity)."""
        k = self.order
        if len(self.jumps) < k:
            return False
        if isinstance(self.jumps, ExactCoefficients):        # decided on the exact values
            signs = self.jumps.signs()
            return all(sg == 0 for sg in signs[:k - 1]) and (-1)**k * signs[k - 1] >= 0
        ok = all(j == 0 for j in self.jumps[:k - 1])
        last = exact_sign((-1)**k * self.jumps[k - 1])
        return ok and last in (0, 1)

    @property
    def holds(self) -> bool:
        return bool(self.scale_positive and self.jumps_ok and super().holds)

    def summary(self) -> dict:
        return {"d": self.d, "order k": self.order, "holds": self.holds,
                "failed orders": self.failed_orders, "jumps at eps^2 zero": [j == 0 for j in self.jumps],
                "witnesses (order: r)": {str(k): str(v) for k, v in self.witnesses.items()},
                "smallest Bernstein coefficient": self.margin}


def _lower_numerators(phi: AlmostPotential, n: int) -> list[sp.Poly]:
    """N_j(v) = v^{2j} (-1)^j (d/du)^j [-P'(v)], j = 0..n, as polynomials in v."""
    p = sp.expand(phi.lower_derivative(0).subs(phi.r, _V))
    g = -sp.diff(p, _V)
    out = []
    for j in range(n + 1):
        out.append(sp.Poly(sp.expand(sp.cancel((-1)**j * g * _V**(2 * j))), _V))
        g = sp.cancel(sp.diff(g, _V) / (2 * _V))
    return out


def _upper_polys(base: LamHarmonicPotential, n: int) -> list[tuple[sp.Poly, int]]:
    """(Q_j, a_j) with (-1)^j (d/du)^j [-Phi'(sqrt u)] = Q_j(r) e^{-s r} r^{-a_j} (unscaled).

    Q_0 = q_1 of Lemma B.9 (Phi' = -q_1 e^{-s r}/r^{d-1}); Q_{j+1} = ((a + s r) Q_j - r Q_j')/2."""
    s = base.s
    q = sp.Poly(base.derivative_poly(1).as_expr(), R)
    a = base.d - 1
    out = [(q, a)]
    for _ in range(n):
        q = sp.Poly(sp.expand(((a + s * R) * q.as_expr() - R * sp.diff(q.as_expr(), R)) / 2), R)
        a += 2
        out.append((q, a))
    return out


def williamson_certificate(phi: AlmostPotential, order: int | None = None) -> WilliamsonCertificate:
    r"""Exact check that -Phi_eps'(sqrt u) is k-monotone, k = (d+1)/2 by default.

    When it holds, Phi_eps is a non-negative mixture of lens potentials (Williamson), hence
    realizable in R^d. ``order`` overrides k (e.g. k + 1, which a lens itself fails).

    Examples
    --------
    >>> import sympy as sp
    >>> from harmonic.exact import almost_lam_harmonic
    >>> cert = williamson_certificate(almost_lam_harmonic(3, sp.Rational(1, 2)))
    >>> cert.order, cert.holds
    (2, True)
    """
    if not isinstance(phi, AlmostPotential) or not isinstance(phi.base, LamHarmonicPotential):
        raise ValueError("williamson_certificate needs Lemma 4.2's Phi_eps (an almost lambda-harmonic "
                         f"potential, almost_lam_harmonic or almost_construction of it); got {phi!r}")
    if phi.params:
        raise ValueError(f"williamson_certificate needs numeric eps and lambda; got parameters {phi.params}")
    d = phi.d
    k = williamson_order(d) if order is None else int(order)
    if k < 1:
        raise ValueError(f"Williamson's order must be >= 1; got {order}")
    exact = phi.exact_lower
    if exact is not None:
        return _exact_certificate(phi, exact, k)
    eps = phi.eps
    x = sp.Symbol("x")
    lower, upper, witnesses = [], [], {}
    nums = _lower_numerators(phi, k)
    for j, nj in enumerate(nums):
        cert = bernstein_certificate(sp.Poly(nj.as_expr().subs(_V, eps * x), x), _lower_statement(j), elevate=8)
        lower.append(cert)
        if cert.holds is not True:
            w = find_negative(nj.as_expr(), _V, _lower_grid(eps))
            if w is not None:
                witnesses[j] = w
    scale_sign = exact_sign(phi.scale)
    for j, (qj, a) in enumerate(_upper_polys(phi.base, k)):
        cert = coefficient_certificate(qj, _upper_statement(j, a))
        upper.append(cert)
        if cert.holds is not True and j not in witnesses:
            w = find_negative(qj.as_expr(), R, _upper_grid(eps))
            if w is not None:
                witnesses[j] = w
    jumps = []
    ups = _upper_polys(phi.base, max(k - 1, 0))
    s = phi.base.s
    for j in range(k):
        low = nums[j].as_expr().subs(_V, eps) / eps**(2 * j)
        qj, a = ups[j]
        high = qj.as_expr().subs(R, eps) * sp.exp(-s * eps) / eps**a / phi.scale
        jumps.append(sp.simplify((-1)**j * (high - low)))
    return WilliamsonCertificate(tuple(lower), tuple(upper), witnesses, d=d, order=k,
                                 jumps=tuple(jumps), scale_positive=scale_sign == 1)


def _lower_statement(j: int) -> str:
    return f"(-1)^{j} g^({j})(u) >= 0 for u = v^2 in (0, eps^2]"


def _upper_statement(j: int, a: int) -> str:
    return f"(-1)^{j} g^({j})(u) >= 0 for u = r^2 >= eps^2 (Q_{j} e^(-s r) r^-{a}, coefficients)"


def _lower_grid(eps) -> list:
    return [eps * sp.Rational(i, 64) for i in range(1, 65)]


def _upper_grid(eps) -> list:
    return [eps + sp.Rational(i, 4) for i in range(0, 40)]


def _exact_certificate(phi: AlmostPotential, exact, k: int) -> WilliamsonCertificate:
    """:func:`williamson_certificate` on the exact lower piece (python-flint): the same
    numerators, Q-polynomials and jumps, in Q(sqrt lambda)."""
    d, eps, base = phi.d, phi.eps, phi.base
    e = fmpq_of(eps)
    factor = exact.factor                  # Phi_eps = factor * P below eps (P exact)
    p = exact.poly.compose(fmpq_poly([e, -1]))               # P(v), v = r = eps - h
    g = -p.derivative()                                      # g(v) = -P'(v) / factor
    lower, upper, witnesses, nums = [], [], {}, []
    for j in range(k + 1):
        # N_j = v^{2j} (-1)^j D^j g, D = (1/2v) d/dv: v^i -> prod_{l<j} (i - 2l)/2 v^i
        nj = _monomial_scaling(g, [(-1)**j * _falling_half(i, j) for i in range(g.degree() + 1)])
        nums.append(nj)
        cert = bernstein_certificate(nj.compose(fmpq_poly([0, e])), _lower_statement(j), elevate=8,
                                     factor=factor)
        lower.append(cert)
        if cert.holds is not True:
            w = find_negative(nj, None, _lower_grid(eps))
            if w is not None:
                witnesses[j] = w
    units = _upper_units(d, k)
    for j, (uj, a) in enumerate(units):
        cert = coefficient_certificate(scaled_coefficients(uj, base.s), _upper_statement(j, a))
        upper.append(cert)
        if cert.holds is not True and j not in witnesses:
            w = find_negative(SurdPoly.scaled(uj, base.rational_lam), None, _upper_grid(eps))
            if w is not None:
                witnesses[j] = w
    jumps = []
    for j in range(k):                     # g^{(j)}(eps^2+) - g^{(j)}(eps^2-), over the factor
        uj, a = units[j]
        high = SurdPoly.scaled(uj, base.rational_lam)(e) / (e**a * phi._scale_exact)
        low = nums[j](e) / e**(2 * j)
        jumps.append((high - low) * fmpq((-1)**j))
    return WilliamsonCertificate(tuple(lower), tuple(upper), witnesses, d=d, order=k,
                                 jumps=ExactCoefficients(jumps, factor=factor),
                                 scale_positive=phi._scale_exact.sign() == 1)


def _falling_half(i: int, j: int) -> fmpq:
    """prod_{l < j} (i - 2l)/2: D^j v^i = this * v^{i - 2j}."""
    out = fmpq(1)
    for step in range(j):
        out *= fmpq(i - 2 * step, 2)
    return out


def _monomial_scaling(f: SurdPoly, weights: list[fmpq]) -> SurdPoly:
    """sum_i w_i f_i t^i."""
    def scaled(part: fmpq_poly) -> fmpq_poly:
        c = part.coeffs()
        return fmpq_poly([x * w for x, w in zip(c + [fmpq(0)] * (len(weights) - len(c)), weights)])
    return SurdPoly(scaled(f.a), scaled(f.b), f.m)


def _upper_units(d: int, n: int) -> list[tuple[fmpq_poly, int]]:
    """(U_j, a_j) with Q_j(r) = U_j(s r) (:func:`_upper_polys` for lambda = 1, homogeneous in s r)."""
    u = unit_derivative_poly(d, 1)
    a = d - 1
    x = fmpq_poly([0, 1])
    out = [(u, a)]
    for _ in range(n):
        u = ((a + x) * u - x * u.derivative()) / 2
        a += 2
        out.append((u, a))
    return out


def lens_williamson_profile(d, t=1) -> sp.Expr:
    r"""g_t(u) = -Phi_t'(sqrt u) for the lens potential of Lemma B.7 (u < t^2; 0 beyond), exactly.

    >>> lens_williamson_profile(3, 2)        # pi (4 - u)/4: (d+1)/2 - 1 = 1
    -pi*(u - 4)/4
    """
    from .lens import lens_potential
    lens = lens_potential(d, t)
    return sp.factor(sp.expand(-sp.diff(lens.inner, R).subs(R, sp.sqrt(_U))))


def williamson_density(phi: AlmostPotential, *, in_radius: bool = False) -> tuple[sp.Expr, sp.Expr]:
    r"""(w_lower(y), w_upper(y)): the Williamson density w(y) = y^0 (-1)^k g^{(k)}(y)/(k-1)! on
    y = u < eps^2 and y >= eps^2, by *direct* differentiation (sympy, in v = sqrt(u) with
    d/du = (2v)^{-1} d/dv; independent of the certificate's recurrences), so that
    g(u) = int_u^oo (y - u)^{k-1} w(y) dy and
    Phi_eps(r) = int_{r^2}^oo w(y) int_r^{sqrt y} (y - v^2)^{k-1} dv dy: a mixture of lenses
    of diameter sqrt(y) with weight w(y) >= 0 when the certificate holds.

    ``in_radius=True`` returns w as expressions in r = sqrt(y) (``R``) instead of u."""
    k = williamson_order(phi.d)
    v = phi.r
    dens = []
    for g in (-sp.diff(phi.lower_derivative(0), v), -sp.diff(phi.base.expr / phi.scale, v)):
        for _ in range(k):
            g = sp.expand(sp.diff(g, v) / (2 * v))
        dens.append(sp.factor_terms(g * (-1)**k / sp.factorial(k - 1)))
    if in_radius:
        return dens[0], dens[1]
    return dens[0].subs(v, sp.sqrt(_U)), dens[1].subs(v, sp.sqrt(_U))
