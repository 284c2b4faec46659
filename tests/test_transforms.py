r"""Tests of the radial Fourier transform of the precise layer (harmonic.precise.transforms).

Convention (module docstring): F f(rho) = (2 pi)^{d/2} rho^{1-d/2} int_0^oo f(r) J_{d/2-1}(rho r) r^{d/2} dr,
inverse (2 pi)^{-d} times the same. Reference values come from outside the code under test,
each naming its source:

- closed forms, derived by hand from elementary integrals (each stated where it is used):
  e^{-r}/r in R^3, the Gaussian in R^d, 1/(1+r^2)^2 in R^3, the indicator of a ball;
- Lemma B.9's lambda-harmonic potential: (2 pi)^{d/2} C s^{-nu}/(rho^2 + s^2) with
  C = ``bessel_constant()`` (DLMF 10.22.69 with mu = nu), and independently a plain mpmath
  quadrature with ``mpmath.besselj``;
- the lens potential of Lemma B.7 is the self-convolution of the indicator of the ball of
  radius t/2, so its transform is the square of that ball's (convolution theorem);
- Phi_eps of Lemmas B.8/B.9/4.2: a plain mpmath quadrature with ``mpmath.besselj``
  (:func:`quadrature_reference`);
- the kernel Lambda_nu(z) = J_nu(z)/z^nu against ``mpmath.besselj`` at 40 digits.

Tests for bugs found here (and fixed) stay as regression tests.
"""
import mpmath
import pytest
import sympy as sp

from harmonic.exact import R, almost_lam_harmonic, lam_harmonic_potential, lens_potential
from harmonic.precise import TransformAccuracyError, inverse_radial_fourier, radial_fourier, radial_kernel

DPS = 30
# Floats on purpose: 1e-3 is then an exact binary number, the same one the references use
# (decimal strings and sympy numbers are tested in test_rho_is_read_at_full_precision).
RHOS = [0, 1e-3, 0.5, 1, 7, 30, 1000]
HALF = sp.Rational(1, 2)


def rho_id(rho):
    return f"rho={rho:g}"


def mp(x):
    """An exact sympy number or a float as an mpf at the current precision."""
    if isinstance(x, sp.Basic):
        return mpmath.mpf(sp.N(x, mpmath.mp.dps + 10))
    return mpmath.mpf(x)


def assert_accurate(res, ref, dps=DPS):
    """``res`` is resolved, has ref's sign, is within 10^{2-dps} relative (1e-28 at 30 digits),
    its error estimate bounds the actual error of the returned (rounded) value and is not
    absurdly pessimistic (<= 10^{5-dps} |value|, 1e-25 at 30 digits)."""
    with mpmath.workdps(dps + 30):
        ref = mpmath.mpf(ref)
        actual = abs(res.value - ref)
        assert res.resolved, res
        assert res.sign == (1 if ref > 0 else -1), res
        assert actual <= mpmath.mpf(10)**(2 - dps) * abs(ref), (res, ref, actual / abs(ref))
        assert res.error <= mpmath.mpf(10)**(5 - dps) * abs(res.value), res
        assert actual <= res.error, (res, ref, actual)


# -- references ----------------------------------------------------------------------------

def yukawa_ref(rho):
    """F(e^{-r}/r) in R^3 = (4 pi/rho) int_0^oo e^{-r} sin(rho r) dr = 4 pi/(1 + rho^2)
    (the Laplace transform of sin at 1: rho/(1 + rho^2))."""
    return 4 * mpmath.pi / (1 + rho**2)


def gaussian_ref(d, rho):
    """F(e^{-|x|^2}) in R^d = prod over coordinates of int e^{-x^2 - i w x} dx = pi^{d/2} e^{-rho^2/4}."""
    return mpmath.pi**(mpmath.mpf(d) / 2) * mpmath.exp(-rho**2 / 4)


def ball_ref(d, a, rho):
    """F(1_{|x|<=a}) in R^d = (2 pi a/rho)^{d/2} J_{d/2}(rho a), from z^nu J_{nu-1}(z) =
    d/dz [z^nu J_nu(z)] (DLMF 10.6.6); at rho = 0 the volume pi^{d/2} a^d / Gamma(d/2 + 1)."""
    a = mp(a)
    if rho == 0:
        return mpmath.pi**(mpmath.mpf(d) / 2) * a**d / mpmath.gamma(mpmath.mpf(d) / 2 + 1)
    return (2 * mpmath.pi * a / rho)**(mpmath.mpf(d) / 2) * mpmath.besselj(mpmath.mpf(d) / 2, rho * a)


def lam_harmonic_ref(phi, rho):
    """Lemma B.9's Phi = C r^{-nu} K_nu(s r) (nu = d/2 - 1): F Phi = (2 pi)^{d/2} C s^{-nu}/(rho^2 + s^2),
    from int_0^oo r K_nu(s r) J_nu(rho r) dr = rho^nu s^{-nu}/(rho^2 + s^2) (DLMF 10.22.69, mu = nu)."""
    nu = mpmath.mpf(phi.d) / 2 - 1
    s, c = mp(phi.s), mp(phi.bessel_constant())
    return (2 * mpmath.pi)**(mpmath.mpf(phi.d) / 2) * c * s**(-nu) / (rho**2 + s**2)


def quadrature_reference(f, d, rho, edge, *, dps=DPS + 15, cutoff=100):
    r"""(2 pi)^{d/2} rho^{1-d/2} int_0^oo f(r) J_{d/2-1}(rho r) r^{d/2} dr by plain mpmath quadrature.

    Kernel ``mpmath.besselj``; Gauss-Legendre on [0, edge] and on [edge, cutoff] cut into
    pieces of about two periods. f must decay like e^{-r} (Lemma B.9's tail): beyond r = 100
    the integrand is below 10^{-40}, far under the 30 digits asked of the values tested here.
    At rho = 0, J_nu(z)/z^nu -> 2^{-nu}/Gamma(nu + 1) (DLMF 10.7.3). (mpmath.quadosc on
    [edge, oo) was tried first: on these exponentially decaying integrands it is off by up to
    1e-15 relative at rho = 7, d = 3, so it is no reference at 30 digits.)
    """
    with mpmath.workdps(dps):
        rho, edge = mpmath.mpf(rho), mp(edge)
        nu = mpmath.mpf(d) / 2 - 1
        if rho == 0:
            def h(r):
                return f(r) * r**(d - 1)
            total = mpmath.quad(h, [0, edge]) + mpmath.quad(h, [edge, edge + 1, edge + 8, mpmath.inf])
            return (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * total / (2**nu * mpmath.gamma(nu + 1))

        def h(r):
            return f(r) * mpmath.besselj(nu, rho * r) * r**(mpmath.mpf(d) / 2)
        n_far = max(1, int(rho * cutoff / (4 * mpmath.pi)))
        near = mpmath.quad(h, mpmath.linspace(0, edge, 2 + int(rho * edge / 6)), method="gauss-legendre")
        far = mpmath.quad(h, mpmath.linspace(edge, cutoff, n_far + 1), method="gauss-legendre")
        return (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * rho**(1 - mpmath.mpf(d) / 2) * (near + far)


# -- closed forms --------------------------------------------------------------------------

@pytest.mark.parametrize("rho", RHOS, ids=rho_id)
def test_yukawa_in_3d(rho):
    res = radial_fourier(sp.exp(-R) / R, 3, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, yukawa_ref(mpmath.mpf(rho)))


@pytest.mark.parametrize("d", [1, 2, 3, 5], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("rho", [0, 1e-3, 0.5, 1, 7, 30], ids=rho_id)
def test_gaussian(d, rho):
    res = radial_fourier(sp.exp(-R**2), d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, gaussian_ref(d, mpmath.mpf(rho)))


@pytest.mark.parametrize("d,rho", [(3, 0.5), pytest.param(3, 7, marks=pytest.mark.slow), (2, 1)],
                         ids=["d=3-rho=0.5", "d=3-rho=7", "d=2-rho=1"])
def test_gaussian_as_callable(d, rho):
    """The same Gaussian through the quadrature path (an mpmath callable, no structure)."""
    res = radial_fourier(lambda r: mpmath.exp(-r**2), d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, gaussian_ref(d, mpmath.mpf(rho)))


def lorentzian_ref(rho):
    """F(1/(1+r^2)^2) in R^3 = (4 pi/rho) int_0^oo r sin(rho r)/(1+r^2)^2 dr = pi^2 e^{-rho}:
    differentiate int_0^oo cos(rho r)/(1+r^2) dr = (pi/2) e^{-rho} in rho and integrate by parts."""
    return mpmath.pi**2 * mpmath.exp(-rho)


@pytest.mark.parametrize("rho", RHOS + [316], ids=rho_id)
def test_squared_lorentzian(rho):
    """Algebraic 1/r^2 decay, every rho to 1e3 at 30 digits (the Matern closed form; before it
    the quadrature path took seconds per point and did not finish at rho >= 316)."""
    res = radial_fourier(1 / (1 + R**2)**2, 3, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, lorentzian_ref(mpmath.mpf(rho)))


@pytest.mark.slow
def test_squared_lorentzian_by_quadrature():
    """The same function as a plain callable (no structure): quadrature with an oscillatory
    tail, 15 digits at rho = 1."""
    res = radial_fourier(lambda r: 1 / (1 + r**2)**2, 3, 1, dps=15)
    with mpmath.workdps(50):
        assert_accurate(res, lorentzian_ref(mpmath.mpf(1)), dps=15)


@pytest.mark.parametrize("d,nu,a2,rho", [pytest.param(5, 4, 2, 0.5, marks=pytest.mark.slow),
                                         pytest.param(3, 3, sp.Rational(1, 4), 2, marks=pytest.mark.slow),
                                         (7, 5, 1, 0)])
def test_matern_closed_form_against_quadrature(d, nu, a2, rho):
    """c (a^2 + r^2)^{-nu}, nu > d/2: the closed form against the definition integrated as a
    plain callable (an independent route: no structure used), 25 digits."""
    expr = 3 / (a2 + R**2)**nu
    res = radial_fourier(expr, d, rho)
    a2f = mpmath.mpf(sp.N(a2, 50))
    ref = radial_fourier(lambda r: 3 / (a2f + r**2)**nu, d, rho, dps=25)
    with mpmath.workdps(60):
        assert abs(res.value - ref.value) <= mpmath.mpf(10)**-24 * abs(ref.value)


@pytest.mark.parametrize("d", [3, 5, 7], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("rho", RHOS, ids=rho_id)
def test_ball_indicator(d, rho):
    a = sp.Rational(3, 2)
    res = radial_fourier(sp.Piecewise((1, R <= a), (0, True)), d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, ball_ref(d, a, mpmath.mpf(rho)))


def test_ball_with_a_radius_that_is_not_binary():
    """Regression: breakpoints were stored at 15 digits (radius 1/3 as a double: 1.6e-16 off)."""
    a = sp.Rational(1, 3)
    res = radial_fourier(sp.Piecewise((1, R <= a), (0, True)), 3, 1)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, ball_ref(3, a, mpmath.mpf(1)))


# -- dimension 1 (nu = -1/2) ---------------------------------------------------------------

def laplace_1d_ref(rho):
    """F(e^{-|x|}) in R^1 = int e^{-|x|} e^{-i w x} dx = 2/(1 + rho^2)."""
    return 2 / (1 + rho**2)


def test_exponential_in_1d_at_zero():
    res = radial_fourier(sp.exp(-R), 1, 0)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, laplace_1d_ref(mpmath.mpf(0)))


@pytest.mark.parametrize("rho", [0.5, 7], ids=rho_id)
def test_exponential_in_1d_oscillating(rho):
    """Regression: radial_kernel(-1/2, z) was 0 for z > 1, so d = 1 dropped r > 1/rho."""
    res = radial_fourier(sp.exp(-R), 1, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, laplace_1d_ref(mpmath.mpf(rho)))


# -- Lemma B.9's lambda-harmonic potential -------------------------------------------------

LAM_CASES = [(3, 1), (3, 2), (7, 1), (7, 2)]


@pytest.mark.parametrize("d,lam", LAM_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("rho", RHOS, ids=rho_id)
def test_lam_harmonic_closed_form(d, lam, rho):
    """Regression: s and C were rounded to doubles when the plan was built (1e-16 off)."""
    phi = lam_harmonic_potential(d, lam)
    res = radial_fourier(phi, d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, lam_harmonic_ref(phi, mpmath.mpf(rho)))


@pytest.mark.parametrize("rho", [0, 0.5, 7], ids=rho_id)
def test_lam_harmonic_independent_quadrature(rho):
    """d = 7: Phi = (1 + r + r^2/3) e^{-r}/r^5 integrated with mpmath.besselj, no structure used."""
    phi = lam_harmonic_potential(7, 1)
    f = sp.lambdify(R, phi.expr, modules="mpmath")
    ref = quadrature_reference(f, 7, rho, 1)
    with mpmath.workdps(DPS + 30):
        # the two references agree (DLMF 10.22.69 against quadrature): either validates the other
        assert abs(ref - lam_harmonic_ref(phi, mpmath.mpf(rho))) <= mpmath.mpf(10)**(-DPS - 5) * ref
        assert_accurate(radial_fourier(phi, 7, rho), ref)


# -- the lens potential of Lemma B.7 -------------------------------------------------------

@pytest.mark.parametrize("d", [3, 5, 7], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("rho", RHOS, ids=rho_id)
def test_lens_is_the_squared_ball(d, rho):
    """Phi_t = h * h with h the indicator of the ball of radius t/2: F Phi_t = (F h)^2."""
    t = 3
    res = radial_fourier(lens_potential(d, t), d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, ball_ref(d, sp.Rational(t, 2), mpmath.mpf(rho))**2)


# -- Phi_eps of Lemmas B.8/B.9/4.2 ---------------------------------------------------------

_PHI_EPS: dict = {}


def phi_eps(d):
    if d not in _PHI_EPS:
        _PHI_EPS[d] = almost_lam_harmonic(d, HALF)
    return _PHI_EPS[d]


@pytest.mark.parametrize("d", [3, 7, 11], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("rho", [0, 0.5, 7], ids=rho_id)
def test_phi_eps_independent_quadrature(d, rho):
    phi = phi_eps(d)
    ref = quadrature_reference(sp.lambdify(R, phi.expr, modules="mpmath"), d, rho, HALF)
    res = radial_fourier(phi, d, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, ref)


# Only rho < 2 pi / eps = 4 pi here. At rho = 7 and 30 (d = 3, 7) the callable path takes
# 200-300 s per value (and, before the two evaluations handed over to quadosc at different
# points, came back wrong by 1e-19 .. 5e-8 relative with a reported error ~1e-35): mpmath 1.3's
# quadosc(f, [a, oo], omega) integrates [a, pi/omega] backwards and then sums periods from
# pi/omega, so it samples f below a, across the callable's breakpoint eps once pi/rho < eps, and
# Gauss-Legendre over the kink escalates its degree at nsum's raised precision.
CALLABLE_CASES = [
    pytest.param(7, 0, id="d=7-rho=0"),
    pytest.param(11, 0.5, id="d=11-rho=0.5", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("d,rho", CALLABLE_CASES)
def test_phi_eps_as_callable_matches_structured(d, rho):
    """The same Phi_eps lambdified to a plain mpmath callable with breakpoints=[eps]."""
    phi = phi_eps(d)
    f = sp.lambdify(R, phi.expr, modules="mpmath")
    structured = radial_fourier(phi, d, rho)
    plain = radial_fourier(f, d, rho, breakpoints=[mpmath.mpf(1) / 2])
    with mpmath.workdps(DPS + 30):
        assert_accurate(plain, structured.value)


# -- precision sweep -----------------------------------------------------------------------

SWEEP = {
    "yukawa": (lambda: sp.exp(-R) / R, 3, 7, lambda rho: yukawa_ref(rho)),
    "ball-d5": (lambda: sp.Piecewise((1, R <= sp.Rational(3, 2)), (0, True)), 5, 30,
                lambda rho: ball_ref(5, sp.Rational(3, 2), rho)),
    "gaussian-callable": (lambda: (lambda r: mpmath.exp(-r**2)), 3, 1, lambda rho: gaussian_ref(3, rho)),
}


@pytest.mark.parametrize("dps", [15, 30, 50], ids=lambda p: f"dps={p}")
@pytest.mark.parametrize("case", list(SWEEP))
def test_precision_sweep(case, dps):
    """The tolerance tightens with dps: relative error < 10^{2-dps}."""
    make, d, rho, ref = SWEEP[case]
    res = radial_fourier(make(), d, rho, dps=dps)
    assert res.dps == dps and res.working_dps > dps
    with mpmath.workdps(dps + 30):
        assert_accurate(res, ref(mpmath.mpf(rho)), dps=dps)


# -- the error estimate and the input's precision ------------------------------------------

@pytest.mark.parametrize("f,d,rho,ref", [
    pytest.param(sp.Piecewise((1, R <= sp.Rational(3, 2)), (0, True)), 5, 30,
                 lambda: ball_ref(5, sp.Rational(3, 2), mpmath.mpf(30)), id="ball-d5-rho=30"),
    pytest.param(sp.exp(-R) / R, 3, 2, lambda: yukawa_ref(mpmath.mpf(2)), id="yukawa-rho=2"),
    pytest.param(sp.exp(-R**2), 3, 1, lambda: gaussian_ref(3, mpmath.mpf(1)), id="gaussian-rho=1"),
])
def test_error_estimate_covers_the_returned_value(f, d, rho, ref):
    """Regression: the rounding of value to dps digits (up to 1e-31 relative) was not in error."""
    res = radial_fourier(f, d, rho)
    with mpmath.workdps(DPS + 30):
        assert abs(res.value - ref()) <= res.error


@pytest.mark.parametrize("form", ["string", "mpf50", "sympy"])
def test_rho_is_read_at_full_precision(form):
    """Regression: rho was read at the ambient 15 digits (the double nearest 0.001: 4e-23 off)."""
    with mpmath.workdps(DPS + 30):
        rho = mpmath.mpf("0.001")
    given = {"string": "0.001", "mpf50": rho, "sympy": sp.Rational(1, 1000)}[form]
    res = radial_fourier(sp.exp(-R) / R, 3, given)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, yukawa_ref(rho))


# -- no spurious sign ----------------------------------------------------------------------

@pytest.mark.parametrize("form", ["sympy", pytest.param("callable", marks=pytest.mark.slow)])
def test_gaussian_far_tail_has_no_spurious_sign(form):
    """F(e^{-r^2}) at rho = 60 in R^3 is pi^{3/2} e^{-900} ~ 7.6e-391 (> 0). Either resolved with
    that value, or resolved=False with sign None; never a resolved value of the wrong sign.

    max_dps = 45: one round of evaluations (at dps + 10 = 40 and 55 working digits) and no
    escalation. The sympy Gaussian has an exact transform (resolved at once); the callable goes
    through quadrature, whose error floor (mass x 10^{-working digits}) no affordable precision
    brings under 1e-391, so it must come back unresolved (the default max_dps = 180 spends
    minutes escalating to the same answer)."""
    f = sp.exp(-R**2) if form == "sympy" else (lambda r: mpmath.exp(-r**2))
    res = radial_fourier(f, 3, 60, max_dps=45)
    if res.resolved:
        with mpmath.workdps(DPS + 30):
            assert_accurate(res, gaussian_ref(3, mpmath.mpf(60)))
    else:
        assert res.sign is None
        assert res.error >= abs(res.value)
    if form == "sympy":
        assert res.resolved


# -- round trips ---------------------------------------------------------------------------

def gaussian_inverse_pair(form):
    """F^{-1}(pi^{3/2} e^{-rho^2/4}) = e^{-r^2} in R^3 (gaussian_ref read backwards)."""
    if form == "sympy":
        return sp.pi**sp.Rational(3, 2) * sp.exp(-R**2 / 4)
    return lambda rho: mpmath.pi**(mpmath.mpf(3) / 2) * mpmath.exp(-rho**2 / 4)


INVERSE_CASES = [pytest.param("sympy", r, id=f"sympy-r={r}") for r in (0, 0.5, 2)] + \
    [pytest.param("callable", 0.5, id="callable-r=0.5")]


@pytest.mark.parametrize("form,r", INVERSE_CASES)
def test_inverse_of_the_gaussian_transform(form, r):
    """Regression: the factor (2 pi)^{-d} was computed at 15 digits (every inverse 1e-16 off)."""
    res = inverse_radial_fourier(gaussian_inverse_pair(form), 3, r)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, mpmath.exp(-mpmath.mpf(r)**2))


@pytest.mark.slow
def test_ball_forward_then_inverse():
    """Forward: the ball of radius 1 in R^3 has F = 4 pi (sin rho - rho cos rho)/rho^3 (ball_ref
    with d = 3, J_{3/2} elementary, DLMF 10.49.3; checked against radial_fourier at two rho);
    inverse of that at r = 1/2 (inside the ball) is 1. The transform decays like rho^{-2}, so
    the inverse integrand only like 1/rho: slow (15-20 s at 15 digits)."""
    a = 1
    F = 4 * sp.pi * (sp.sin(R) - R * sp.cos(R)) / R**3
    ball = sp.Piecewise((1, R <= a), (0, True))
    with mpmath.workdps(DPS + 30):
        for rho in (0.5, 7):
            assert_accurate(radial_fourier(ball, 3, rho), ball_ref(3, a, mpmath.mpf(rho)))
            assert abs(mp(F.subs(R, sp.Float(rho, 60))) - ball_ref(3, a, mpmath.mpf(rho))) < 1e-40
    res = inverse_radial_fourier(F, 3, 0.5, dps=15)
    with mpmath.workdps(50):
        assert_accurate(res, 1, dps=15)


@pytest.mark.slow
def test_yukawa_inverse():
    """F^{-1}(4 pi/(1 + rho^2)) = e^{-r}/r in R^3 (yukawa_ref read backwards), at r = 1; 15 digits
    (1/rho decay of the integrand: 7-12 s)."""
    res = inverse_radial_fourier(4 * sp.pi / (1 + R**2), 3, 1, dps=15)
    with mpmath.workdps(50):
        assert_accurate(res, mpmath.exp(-1), dps=15)


# -- the kernel ----------------------------------------------------------------------------

def kernel_cases():
    cases = []
    for nu in [0, HALF, 1, sp.Rational(5, 2), sp.Rational(9, 2), sp.Rational(21, 2)]:
        zs = [0, sp.Rational(1, 10**6), sp.Rational(3, 10), 10, 1000]
        if (2 * nu) % 2 == 1:       # half-integer n + 1/2: the branch switches at z = n + 2
            n = int(nu - HALF)
            zs += [n + 2, n + 2 + sp.Rational(1, 10**30), n + 2 - sp.Rational(1, 10**30),
                   n + 2 + HALF, n + 2 - HALF]
        cases += [pytest.param(nu, z, id=f"nu={nu}-z={sp.N(z, 32) if z != int(z) else z}") for z in zs]
    return cases


@pytest.mark.parametrize("nu,z", kernel_cases())
def test_radial_kernel_against_besselj(nu, z):
    """Lambda_nu(z) = J_nu(z)/z^nu (mpmath.besselj at 60 digits); Lambda_nu(0) = 2^{-nu}/Gamma(nu+1)
    (DLMF 10.2.2, leading term). Compared at 40 digits, relative 1e-37."""
    with mpmath.workdps(40):
        value = radial_kernel(mp(nu), mp(z))
    with mpmath.workdps(60):
        nu_, z_ = mp(nu), mp(z)
        ref = 1 / (2**nu_ * mpmath.gamma(nu_ + 1)) if z == 0 else mpmath.besselj(nu_, z_) / z_**nu_
        assert abs(value - ref) <= mpmath.mpf(10)**-37 * abs(ref)


@pytest.mark.parametrize("z", [sp.Rational(3, 2), 10], ids=lambda z: f"z={z}")
def test_radial_kernel_order_minus_half(z):
    """Lambda_{-1/2}(z) = sqrt(2/pi) cos z (DLMF 10.16.1), the kernel of d = 1."""
    with mpmath.workdps(40):
        value = radial_kernel(mpmath.mpf(-1) / 2, mp(z))
        assert abs(value - mpmath.sqrt(2 / mpmath.pi) * mpmath.cos(mp(z))) <= 1e-37


def test_radial_kernel_order_minus_half_below_one():
    with mpmath.workdps(40):
        z = mpmath.mpf("0.5")
        assert abs(radial_kernel(-z, z) - mpmath.sqrt(2 / mpmath.pi) * mpmath.cos(z)) <= 1e-37


# -- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 0, 1), id="d=0"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 2.5, 1), id="d=2.5"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, True, 1), id="d=True"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, -1), id="rho=-1"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, float("inf")), id="rho=inf"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, float("nan")), id="rho=nan"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, 1, dps=5), id="dps=5"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, 1, dps=30, max_dps=20), id="max_dps<dps"),
    pytest.param(lambda: radial_fourier(sp.exp(-R) / R, 3, 1, max_dps=10**4), id="max_dps-huge"),
    pytest.param(lambda: radial_fourier(3, 3, 1), id="f=3"),
    pytest.param(lambda: radial_fourier([1, 2], 3, 1), id="f=list"),
    pytest.param(lambda: radial_fourier(sp.Piecewise((1, R > 1), (0, True)), 3, 1), id="piecewise-r>1"),
    pytest.param(lambda: radial_fourier(sp.Piecewise((1, (R > HALF) & (R < 1)), (0, True)), 3, 1),
                 id="piecewise-and"),
    pytest.param(lambda: radial_fourier(lam_harmonic_potential(7, sp.Symbol("l", positive=True)), 7, 1),
                 id="symbolic-lambda"),
    pytest.param(lambda: radial_fourier(lambda r: mpmath.exp(-r), 3, 1, support=-1), id="support<0"),
    pytest.param(lambda: inverse_radial_fourier(sp.exp(-R) / R, 3, -1), id="inverse-rho=-1"),
    pytest.param(lambda: inverse_radial_fourier(sp.exp(-R) / R, 3, 1, dps=5), id="inverse-dps=5"),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_accuracy_error_carries_the_estimate():
    """The callable Gaussian at rho = 7 (2.7e-5) needs a second round above 40 working digits (its
    quadrature floor is 5.6 x 10^{-35}); max_dps = 45 forbids it: TransformAccuracyError, with the
    estimate (value within the estimate of pi^{3/2} e^{-49/4})."""
    with pytest.raises(TransformAccuracyError) as info:
        radial_fourier(lambda r: mpmath.exp(-r**2), 3, 7, dps=30, max_dps=45)
    with mpmath.workdps(DPS + 30):
        assert 0 < info.value.error < 1e-3 * abs(info.value.value)
        assert abs(info.value.value - gaussian_ref(3, mpmath.mpf(7))) <= info.value.error


# -- Bessel-K terms (activations such as Lemma B.10's K_1(r)/r) -------------------------------

def test_bessel_k_over_r_at_zero():
    """F(K_1(r)/r)(0) in R^3 = 4 pi int_0^oo r K_1(r) dr = 4 pi * pi/2 = 2 pi^2 (DLMF 10.43.19
    with mu = 2, nu = 1: int t K_1(t) dt = 2^0 Gamma(3/2) Gamma(1/2) = pi/2). Plain quadrature
    of this integrand stalled for minutes per point; the closed form takes milliseconds."""
    res = radial_fourier(sp.besselk(1, R) / R, 3, 0)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, 2 * mpmath.pi**2)


@pytest.mark.parametrize("rho", [0.5, 7, 1000], ids=rho_id)
def test_bessel_k_half_order_is_an_exponential(rho):
    """r^{1/2} K_{1/2}(r) = sqrt(pi/2) e^{-r} (DLMF 10.39.2): the Bessel-K closed form against the
    exponential-polynomial closed form of the same function (two independent routes)."""
    res = radial_fourier(sp.sqrt(R) * sp.besselk(sp.Rational(1, 2), R), 3, rho)
    ref = radial_fourier(sp.sqrt(sp.pi / 2) * sp.exp(-R), 3, rho)
    with mpmath.workdps(DPS + 30):
        assert_accurate(res, ref.value)


@pytest.mark.slow
def test_bessel_k_over_r_against_quadrature():
    """rho = 1: the sine transform 4 pi/rho int K_1(r) sin(rho r) dr by mpmath quadrature."""
    res = radial_fourier(sp.besselk(1, R) / R, 3, 1)
    with mpmath.workdps(DPS + 10):
        ref = 4 * mpmath.pi * mpmath.quad(lambda x: mpmath.besselk(1, x) * mpmath.sin(x), [0, 1, 5, 20, 90])
        assert abs(res.value - ref) <= mpmath.mpf(10)**(2 - DPS) * ref


def test_lam_harmonic_in_another_dimension_uses_its_bessel_k_term():
    """Lemma B.9's d = 3 potential e^{-r}/r is the Bessel-K term r^{-1/2} K_{1/2}(r) sqrt(2/pi);
    in R^5 it is integrable and its transform is that term's closed form, checked against a
    direct Hankel quadrature (2 pi)^{5/2} rho^{-3/2} int e^{-r} r^{3/2} J_{3/2}(rho r) dr."""
    with mpmath.workdps(30):
        rho = mpmath.mpf(1)
        ref = (2 * mpmath.pi)**mpmath.mpf(2.5) * rho**mpmath.mpf(-1.5) * mpmath.quad(
            lambda r: mpmath.exp(-r) * r**mpmath.mpf(1.5) * mpmath.besselj(1.5, rho * r), [0, mpmath.inf])
        res = radial_fourier(lam_harmonic_potential(3), 5, 1, dps=25)
        assert abs(res.value - ref) < 1e-20 * abs(ref)
