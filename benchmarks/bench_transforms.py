"""Radial Fourier transforms: digits reached and time per rho point, harmonic against its peers.

    python benchmarks/bench_transforms.py [--repeat N] [--quick] [--point-timeout S]

One run measures, for every case and every method, on the same functions and the same rho
points, the time per point and the digits reached against an independent reference. It needs
the benchmark-only peers ``pip install hankel mcfit`` (not dependencies of harmonic).

Convention: F f(rho) = (2 pi)^{d/2} rho^{1-d/2} int_0^oo f(r) J_{d/2-1}(rho r) r^{d/2} dr.

Cases: e^{-r}/r (d=3); Lemma B.9's lambda-harmonic Phi (d=7, 11); 1/(1+r^2)^2 (d=3); the
indicator of the unit ball (d=3); the lens potentials lens_potential(3, 2), lens_potential(7, 2);
e^{-r^2} (d=3); Phi_eps = almost_lam_harmonic(7, 1/10) and almost_lam_harmonic(3, 1/10).

Points: rho = 0 and 13 points 10^{-3}, 10^{-2.5}, ..., 10^3 (float64 numbers, given to every
method as they are; rho = 0 only to the methods that take it: all but mcfit).

References, at 50 digits: closed forms (4 pi/(1+rho^2); (2 pi)^{d/2} C s^{-nu}/(rho^2+s^2) with
C = bessel_constant(); pi^2 e^{-rho}; the ball (2 pi a/rho)^{d/2} J_{d/2}(a rho); the lens, by
the convolution theorem, the square of the ball of radius t/2; pi^{3/2} e^{-rho^2/4}). For
Phi_eps an independent mpmath quadrature with the besselj kernel (quad on [0, eps] cut into
single periods, quad on [eps, ...) split dyadically for rho < 1/2 and quadosc beyond a few
periods for rho >= 1/2), cross-checked at 70 digits by F Phi / scale (closed form) plus the
quadrature of (P - Phi/scale) on [0, eps] alone; the digits of that agreement (at most 50) cap
the digits any method can be credited with.

Methods:
  harmonic       radial_fourier(f, d, rho, dps=30); its ``error`` is checked against the actual
                 error, and its unresolved results are counted apart (not as signs).
  certified      radial_fourier(f, d, rho, dps=30, certified=True): an Arb ball of relative width
                 <= 1e-30; every ball must contain the reference (within the reference's own
                 digits), a ball that does not is listed under the table. Its time is compared
                 with harmonic's, case by case, in the summary (ratio of the median ms per point).
  mpmath-30      plain mpmath at 30 digits: quad on the finite pieces, quadosc(omega=rho) on
                 the infinite one, besselj kernel (rho = 0 by the kernel's limit).
  scipy-quad     scipy.integrate.quad in float64: d = 3 with weight='sin' (QAWO/QAWF) on each
                 piece, other d plain quad(limit=1000) of the jv kernel; rho = 0 by the limit.
  hankel-default SymmetricFourierTransform(ndim=d) (h = 0.05, N = pi/h).
  hankel-tuned   h halved from 0.05 (N = pi/h) until the median relative change over the rho
                 grid is < 1e-8, or h reaches 0.05/64 (0.05/16 with --quick): what a user tuning
                 without the answer can do. The chosen h, N and the tuning time are printed.
  mcfit          mcfit.Hankel(x, nu=d/2-1, q, lowring=False, xy=e^Delta) on x = 10^{-10..10},
                 128 points a decade, so that its output grid y = 1/x[::-1] contains the rho
                 points (no interpolation; |y - rho|/rho is printed); the tilt q is chosen from
                 -nu+1/2, ..., 1 by agreement with a coarser grid (10^{-8..8}, 64 a decade).
                 The time includes building the transform.

Timing: each point is timed --repeat times and the median kept, except that a point whose
first evaluation took more than 1 s is timed once. harmonic, certified and mpmath-30 run in a forked child
so that a point can be stopped after --point-timeout seconds (default 60, 8 with --quick;
reported as a timeout), after one untimed call at rho = 0 in the parent (plan, lambdify).
hankel and mcfit transform the whole grid in one call: their time per point is that call's
median time over the number of points (hankel's excludes building the transform, whose cost
is in the printed tuning time; mcfit's includes it). The Phi_eps references are computed,
untimed, by a forked worker on the second core while the timings run.

Table: median and maximum ms per point; min and median digits over the points with a value
(for harmonic: the resolved ones); spurious signs (the opposite sign to the reference; for
harmonic among resolved points only); unresolved points (harmonic); failures (timeouts,
exceptions, nan/inf, exact 0). Below it, every harmonic point whose actual error exceeds its
reported error (beyond the final rounding of the value to dps digits) or that has fewer than 28
digits while resolved.
"""
from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np
import scipy
import scipy.integrate
import scipy.special
import sympy as sp

from harmonic.exact import R, RadialPotential, almost_lam_harmonic, lam_harmonic_potential, lens_potential
from harmonic.precise.transforms import radial_fourier

try:
    import hankel
    import mcfit
except ImportError as exc:          # benchmark-only peers
    raise SystemExit(f"bench_transforms needs the peers: pip install hankel mcfit ({exc})")

REF_DPS = 50
DPS = 30
SLOW = 1.0          # seconds: a point slower than this is timed once


# -- cases ------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    d: int
    obj: object                      # what radial_fourier is given
    pieces: list                     # [(a, b, sympy expression on [a, b])], b = sp.oo allowed
    closed: Callable | None = None   # rho (mpf) -> reference at the current precision
    almost: object = None            # the AlmostPotential, for the quadrature reference
    np_f: Callable = field(init=False)

    def __post_init__(self):
        whole = self.obj.expr if isinstance(self.obj, RadialPotential) else self.obj
        self.np_f = RadialPotential(whole).numpy(0)
        self.mp_pieces = [(mpmath.mpf(sp.N(a, 60)), mpmath.inf if b is sp.oo else mpmath.mpf(sp.N(b, 60)),
                           sp.lambdify(R, e, modules="mpmath")) for a, b, e in self.pieces]
        self.fl_pieces = [(float(a), math.inf if b is sp.oo else float(b), e) for a, b, e in self.pieces]


def _ball(d, a, rho):
    """F of the indicator of the ball of radius a in R^d."""
    if rho == 0:
        return mpmath.pi**(mpmath.mpf(d) / 2) * a**d / mpmath.gamma(mpmath.mpf(d) / 2 + 1)
    return (2 * mpmath.pi * a / rho)**(mpmath.mpf(d) / 2) * mpmath.besselj(mpmath.mpf(d) / 2, a * rho)


def _lam_closed(phi):
    d = phi.d

    def ref(rho):
        s, c = mpmath.mpf(sp.N(phi.s, 80)), mpmath.mpf(sp.N(phi.bessel_constant(), 80))
        nu = mpmath.mpf(d) / 2 - 1
        return (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * c * s**(-nu) / (rho**2 + s**2)
    return ref


def build_cases(names=None) -> list[Case]:
    eps = sp.Rational(1, 10)
    lam7, lam11 = lam_harmonic_potential(7), lam_harmonic_potential(11)
    lens3, lens7 = lens_potential(3, 2), lens_potential(7, 2)
    eps7, eps3 = almost_lam_harmonic(7, eps), almost_lam_harmonic(3, eps)
    ball = sp.Piecewise((1, R <= 1), (0, True))
    rat = 1 / (1 + R**2)**2
    out = [
        Case("e^-r/r d=3", 3, sp.exp(-R) / R, [(0, sp.oo, sp.exp(-R) / R)],
             lambda rho: 4 * mpmath.pi / (1 + rho**2)),
        Case("Phi_lam d=7", 7, lam7, [(0, sp.oo, lam7.expr)], _lam_closed(lam7)),
        Case("Phi_lam d=11", 11, lam11, [(0, sp.oo, lam11.expr)], _lam_closed(lam11)),
        Case("1/(1+r^2)^2 d=3", 3, rat, [(0, sp.oo, rat)], lambda rho: mpmath.pi**2 * mpmath.exp(-rho)),
        Case("ball r<=1 d=3", 3, ball, [(0, 1, sp.Integer(1))], lambda rho: _ball(3, 1, rho)),
        Case("lens(3,2)", 3, lens3, [(0, 2, lens3.inner)], lambda rho: _ball(3, 1, rho)**2),
        Case("lens(7,2)", 7, lens7, [(0, 2, lens7.inner)], lambda rho: _ball(7, 1, rho)**2),
        Case("e^-r^2 d=3", 3, sp.exp(-R**2), [(0, sp.oo, sp.exp(-R**2))],
             lambda rho: mpmath.pi**1.5 * mpmath.exp(-rho**2 / 4)),
        Case("Phi_eps(7,1/10)", 7, eps7, [(0, eps, eps7.expr.args[0][0]), (eps, sp.oo, eps7.expr.args[1][0])],
             almost=eps7),
        Case("Phi_eps(3,1/10)", 3, eps3, [(0, eps, eps3.expr.args[0][0]), (eps, sp.oo, eps3.expr.args[1][0])],
             almost=eps3),
    ]
    return [c for c in out if names is None or c.name in names]


# -- references ---------------------------------------------------------------------------------

def _periods(a, b, rho, per=1):
    """[a, b] cut into pieces of at most ``per`` periods 2 pi/rho."""
    if rho == 0 or b == mpmath.inf:
        return [a, b]
    n = max(1, int(mpmath.ceil((b - a) * rho / (2 * mpmath.pi * per))))
    return [a + (b - a) * k / n for k in range(n + 1)]


def _kernel(d, rho):
    """r -> r^{d-1} Lambda(rho r) (times (2 pi)^{d/2} outside), with the besselj kernel."""
    nu = mpmath.mpf(d) / 2 - 1
    if rho == 0:
        c = 1 / (2**nu * mpmath.gamma(nu + 1))
        return lambda r: c * r**(d - 1)
    return lambda r: mpmath.besselj(nu, rho * r) * r**(mpmath.mpf(d) / 2) * rho**(-nu)


def careful_quadrature(pieces, d, rho):
    """The reference quadrature for Phi_eps (f decaying like e^{-r} on its infinite piece)."""
    k = _kernel(d, rho)
    total = mpmath.mpf(0)
    for a, b, f in pieces:
        h = lambda r, f=f: f(r) * k(r)      # noqa: E731
        if b != mpmath.inf:
            total += mpmath.quad(h, _periods(a, b, rho))
        elif rho < 0.5:
            pts = [a] + [a + 2**j for j in range(0, 9)]          # to a + 256: e^{-256} is negligible
            grid = [a]
            for lo, hi in zip(pts, pts[1:]):
                grid += _periods(lo, hi, rho)[1:]
            total += mpmath.quad(h, grid)
        else:
            mid = a + 4 * 2 * mpmath.pi / rho
            total += mpmath.quad(h, _periods(a, mid, rho)) + mpmath.quadosc(h, [mid, mpmath.inf], omega=rho)
    return (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * total


def almost_crosscheck(phi, rho):
    """F Phi_eps = F(Phi)/scale (closed form) + the transform of (P - Phi/scale) on [0, eps]."""
    d = phi.d
    base, scale = phi.base, mpmath.mpf(sp.N(phi.scale, 100))
    s, c = mpmath.mpf(sp.N(base.s, 100)), mpmath.mpf(sp.N(base.bessel_constant(), 100))
    nu = mpmath.mpf(d) / 2 - 1
    closed = (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * c * s**(-nu) / (rho**2 + s**2) / scale
    lower = sp.lambdify(R, phi.expr.args[0][0], modules="mpmath")
    upper = sp.lambdify(R, phi.expr.args[1][0], modules="mpmath")
    k = _kernel(d, rho)
    eps = mpmath.mpf(sp.N(phi.eps, 100))
    corr = mpmath.quad(lambda r: (lower(r) - upper(r)) * k(r), _periods(mpmath.mpf(0), eps, rho))
    return closed + (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * corr


def reference(case: Case, rho: float):
    """(value at 50 digits, the digits it is trusted to)."""
    x = mpmath.mpf(rho)
    if case.closed is not None:
        with mpmath.workdps(REF_DPS + 10):
            v = case.closed(x)
        with mpmath.workdps(REF_DPS):
            return +v, REF_DPS
    with mpmath.workdps(REF_DPS):
        v = careful_quadrature(case.mp_pieces, case.d, x)
    with mpmath.workdps(70):
        w = almost_crosscheck(case.almost, x)
        agree = abs(v - w) / abs(w)
        digits = REF_DPS if agree == 0 else min(REF_DPS, int(-mpmath.log10(agree)))
    return v, digits


def _reference_worker(conn, jobs):
    for name, rho, case in jobs:
        t0 = time.perf_counter()
        value = reference(case, rho)
        conn.send(((name, rho), value, time.perf_counter() - t0))
    conn.close()


# -- methods --------------------------------------------------------------------------------------

@dataclass
class Outcome:
    status: str              # "ok", "timeout", "error", "n/a"
    value: object = None     # mpf or float
    seconds: float = math.nan
    error: object = None     # harmonic's error estimate
    resolved: bool | None = None
    note: str = ""
    enclosure: tuple | None = None   # certified: (lo, hi) of the ball


def _child(conn, fn, rhos, start, repeat):
    for i in range(start, len(rhos)):
        conn.send(("begin", i))
        times, out = [], None
        try:
            for _ in range(repeat):
                t0 = time.perf_counter()
                out = fn(rhos[i])
                times.append(time.perf_counter() - t0)
                if times[-1] > SLOW:
                    break
            conn.send(("done", i, out, statistics.median(times)))
        except Exception as exc:      # noqa: BLE001 - reported, not raised
            dt = time.perf_counter() - t0
            conn.send(("error", i, (type(exc).__name__, str(exc)[:120], getattr(exc, "value", None),
                                    getattr(exc, "error", None)), dt))
    conn.send(("end",))
    conn.close()


def run_forked(fn, rhos, repeat, timeout) -> list[Outcome]:
    """fn(rho) for every rho in a forked child; a point running past ``timeout`` s is stopped."""
    ctx = multiprocessing.get_context("fork")
    results: list[Outcome | None] = [None] * len(rhos)
    start = 0
    while start < len(rhos):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, fn, rhos, start, repeat), daemon=True)
        proc.start()
        send.close()
        current = start
        while True:
            if not recv.poll(timeout):
                proc.kill()
                proc.join()
                results[current] = Outcome("timeout", seconds=timeout, note=f">{timeout:g} s")
                start = current + 1
                break
            try:
                msg = recv.recv()
            except EOFError:
                proc.join()
                results[current] = Outcome("error", note=f"child died (exit {proc.exitcode})")
                start = current + 1
                break
            if msg[0] == "begin":
                current = msg[1]
            elif msg[0] == "done":
                _, i, out, dt = msg
                results[i] = out if isinstance(out, Outcome) else Outcome("ok", out, dt)
                results[i].seconds = dt
            elif msg[0] == "error":
                _, i, (kind, text, value, err), dt = msg
                results[i] = Outcome("error", value, dt, err, None, f"{kind}: {text}")
            else:                       # end
                proc.join()
                start = len(rhos)
                break
        recv.close()
    return results


def harmonic_point(case):
    def fn(rho):
        res = radial_fourier(case.obj, case.d, rho, dps=DPS)
        return Outcome("ok", res.value, error=res.error, resolved=res.resolved)
    return fn


def certified_point(case):
    def fn(rho):
        res = radial_fourier(case.obj, case.d, rho, dps=DPS, certified=True)
        return Outcome("ok", res.value, error=res.error, resolved=res.resolved, enclosure=(res.lo, res.hi))
    return fn


def mpmath_plain(case):
    d, pieces = case.d, case.mp_pieces

    def fn(rho):
        with mpmath.workdps(DPS):
            x = mpmath.mpf(rho)
            k = _kernel(d, x)
            total = mpmath.mpf(0)
            for a, b, f in pieces:
                h = lambda r, f=f: f(r) * k(r)      # noqa: E731
                if b != mpmath.inf:
                    total += mpmath.quad(h, [a, b])
                elif x == 0:
                    total += mpmath.quad(h, [a, mpmath.inf])
                else:
                    total += mpmath.quadosc(h, [a, mpmath.inf], omega=x)
            return +((2 * mpmath.pi)**(mpmath.mpf(d) / 2) * total)
    return fn


def _timed_points(fn, rhos, repeat) -> list[Outcome]:
    out = []
    for rho in rhos:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            v = fn(rho)
            times.append(time.perf_counter() - t0)
            if times[-1] > SLOW:
                break
        out.append(Outcome("ok", v, statistics.median(times)))
    return out


def scipy_quad(case):
    d = case.d
    nu = d / 2 - 1
    pre = (2 * math.pi)**(d / 2)
    # integrands simplified by sympy, as a user would write them (e^{-r}/r * r = e^{-r})
    with_r = [(a, b, RadialPotential(sp.simplify(e * R)).numpy(0)) for a, b, e in case.fl_pieces]
    with_r_d1 = [(a, b, RadialPotential(sp.simplify(e * R**(d - 1))).numpy(0)) for a, b, e in case.fl_pieces]
    plain = [(a, b, RadialPotential(e).numpy(0)) for a, b, e in case.fl_pieces]
    quad = scipy.integrate.quad

    def fn(rho):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if rho == 0:
                c = pre / (2**nu * math.gamma(nu + 1))
                return c * sum(quad(g, a, b, limit=1000)[0] for a, b, g in with_r_d1)
            if d == 3:
                return 4 * math.pi / rho * sum(quad(g, a, b, weight="sin", wvar=rho, limit=1000)[0]
                                               for a, b, g in with_r)
            jv = scipy.special.jv
            return pre * rho**(1 - d / 2) * sum(
                quad(lambda r, g=g: g(r) * r**(d / 2) * jv(nu, rho * r), a, b, limit=1000)[0]
                for a, b, g in plain)
    return fn


def hankel_transform(case, h, N):
    t0 = time.perf_counter()
    ht = hankel.SymmetricFourierTransform(ndim=case.d, h=h, N=N)
    setup = time.perf_counter() - t0
    return ht, setup


def hankel_tune(case, rhos_pos, h_min):
    """Halve h (N = pi/h) until the median relative change over the grid is < 1e-8."""
    t0 = time.perf_counter()
    h = 0.05
    ht = hankel.SymmetricFourierTransform(ndim=case.d, h=h, N=int(np.pi / h))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prev = ht.transform(case.np_f, rhos_pos, ret_err=False)
        change = math.inf
        while h / 2 >= h_min * (1 - 1e-12):
            h /= 2
            ht = hankel.SymmetricFourierTransform(ndim=case.d, h=h, N=int(np.pi / h))
            cur = ht.transform(case.np_f, rhos_pos, ret_err=False)
            change = float(np.nanmedian(np.abs(cur - prev) / np.abs(cur)))
            prev = cur
            if change < 1e-8:
                break
    return ht, h, int(np.pi / h), time.perf_counter() - t0, change


def run_vectorised(call, rhos, repeat):
    """One call for the whole grid: (values, median seconds per point)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        vals = call()
        times.append(time.perf_counter() - t0)
    return vals, statistics.median(times) / len(rhos)


def _mcfit_values(case, q, L, n, rhos_pos):
    d = case.d
    x = 10.0**(np.arange(-L * n, L * n + 1) / n)
    H = mcfit.Hankel(x, nu=d / 2 - 1, q=q, lowring=False, xy=np.exp(np.log(10) / n))
    with np.errstate(all="ignore"):
        y, G = H(case.np_f(x) * x**(d / 2 - 1), extrap=False)
    idx = np.rint((np.log10(rhos_pos) + L) * n).astype(int)
    yy = y[idx]
    return yy, (2 * np.pi)**(d / 2) * yy**(1 - d / 2) * G[idx]


def mcfit_tune(case, rhos_pos):
    nu = case.d / 2 - 1
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for q in np.arange(-nu + 0.5, 1.01, 0.5):
            _, a = _mcfit_values(case, q, 8, 64, rhos_pos)
            _, b = _mcfit_values(case, q, 10, 128, rhos_pos)
            with np.errstate(all="ignore"):
                s = float(np.nanmedian(np.abs(a - b) / np.abs(b)))
            if math.isfinite(s) and (best is None or s < best[0]):
                best = (s, float(q))
    return 1.0 if best is None else best[1]


# -- scoring ---------------------------------------------------------------------------------------

def _sign(x):
    return (x > 0) - (x < 0)


def score(outcomes, refs, harmonic=False, certified=False):
    """Per-method summary and, for harmonic, the error-bound checks; for certified, that every
    ball [lo, hi] contains the reference (up to the reference's own 10^-cap)."""
    ms = [o.seconds * 1e3 for o in outcomes if o.status == "ok"]
    digits, spurious, unresolved, fails, bad = [], 0, 0, [], []
    for (rho, (ref, cap)), o in zip(refs, outcomes):
        if o.status == "n/a":
            continue
        if o.status != "ok":
            fails.append(o.status if o.status == "timeout" else "error")
            if harmonic:
                bad.append((rho, "failed", o.note))
            continue
        with mpmath.workdps(REF_DPS + 20):
            v = mpmath.mpf(o.value) if not isinstance(o.value, mpmath.mpf) else o.value
            if not mpmath.isfinite(v) or v == 0:
                fails.append("nan" if not mpmath.isfinite(v) else "zero")
                continue
            actual = abs(v - ref)
            rel = actual / abs(ref)
            dig = float(min(cap, max(0, -mpmath.log10(rel)))) if rel else float(cap)
            if harmonic:
                if not o.resolved:
                    unresolved += 1
                else:
                    digits.append(dig)
                    if _sign(v) != _sign(ref):
                        spurious += 1
                    if dig < 28 and cap >= 28:
                        bad.append((rho, f"{dig:.1f} digits while resolved", ""))
                # the returned value is rounded to dps digits after the error was estimated:
                rounding = abs(v) * mpmath.mpf(2)**(-mpmath.libmp.dps_to_prec(DPS))
                ref_err = abs(ref) * mpmath.mpf(10)**(-cap)
                if actual > o.error + rounding + ref_err:
                    bad.append((rho, f"actual error {mpmath.nstr(actual, 3)} > reported "
                                     f"{mpmath.nstr(o.error, 3)} (+ rounding {mpmath.nstr(rounding, 2)})",
                                "resolved" if o.resolved else "unresolved"))
                elif actual > o.error:
                    bad.append((rho, "strict", ""))
            else:
                digits.append(dig)
                if _sign(v) == -_sign(ref):
                    spurious += 1
                if certified:
                    lo, hi = o.enclosure
                    slack = abs(ref) * mpmath.mpf(10)**(-cap)
                    if not lo - slack <= ref <= hi + slack:
                        bad.append((rho, f"the ball [{mpmath.nstr(lo, 12)}, {mpmath.nstr(hi, 12)}] misses the "
                                         f"reference {mpmath.nstr(ref, 12)}", ""))
    return {
        "ms_med": statistics.median(ms) if ms else math.nan,
        "ms_max": max(ms) if ms else math.nan,
        "dig_min": min(digits) if digits else math.nan,
        "dig_med": statistics.median(digits) if digits else math.nan,
        "spurious": spurious,
        "unresolved": unresolved,
        "fails": fails,
        "bad": bad,
    }


def _fails_text(fails):
    if not fails:
        return "0"
    kinds = {k: fails.count(k) for k in dict.fromkeys(fails)}
    return " ".join(f"{n} {k}" for k, n in kinds.items())


# -- main --------------------------------------------------------------------------------------

QUICK_CASES = ("e^-r/r d=3", "Phi_lam d=7", "ball r<=1 d=3", "Phi_eps(7,1/10)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="4 cases, rho = 0, 1e-3, 1, 1e3: about a minute")
    ap.add_argument("--point-timeout", type=float, default=None,
                    help="seconds after which a harmonic/mpmath point is stopped (default 60, quick 8)")
    args = ap.parse_args()
    t_start = time.perf_counter()
    timeout = args.point_timeout or (8.0 if args.quick else 60.0)
    if args.quick:
        rhos_pos = [1e-3, 1.0, 1e3]
        cases = build_cases(QUICK_CASES)
        h_min = 0.05 / 16
    else:
        rhos_pos = [10.0**(-3 + k / 2) for k in range(13)]
        cases = build_cases()
        h_min = 0.05 / 64
    rhos = [0.0] + rhos_pos
    rpos = np.array(rhos_pos)
    methods = ["harmonic", "certified", "mpmath-30", "scipy-quad", "hankel-default", "hankel-tuned", "mcfit"]

    print(f"versions: scipy {scipy.__version__}, mpmath {mpmath.__version__}, hankel {hankel.__version__}, "
          f"mcfit {getattr(mcfit, '__version__', '?')}, numpy {np.__version__}, sympy {sp.__version__}")
    print(f"points: rho = 0 and {len(rhos_pos)} from {rhos_pos[0]:g} to {rhos_pos[-1]:g}; repeat {args.repeat}; "
          f"point timeout {timeout:g} s")
    rows, notes, harmonic_issues, harmonic_ms, certified_ms, certified_issues = [], [], [], [], [], []
    # the quadrature references (Phi_eps) are slow and untimed: a forked worker computes them
    # on the other core while the timings run
    jobs = [(case.name, rho, case) for case in cases if case.closed is None for rho in rhos]
    ctx = multiprocessing.get_context("fork")
    ref_recv, ref_send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_reference_worker, args=(ref_send, jobs), daemon=True)
    worker.start()
    ref_send.close()
    done_refs: dict = {}
    for case in cases:
        tc = time.perf_counter()
        if case.closed is not None:
            refs = [(rho, reference(case, rho)) for rho in rhos]
        else:
            while any((case.name, rho) not in done_refs for rho in rhos):
                key, value, seconds = ref_recv.recv()
                done_refs[key] = (value, seconds)
            refs = [(rho, done_refs[(case.name, rho)][0]) for rho in rhos]
        t_ref = time.perf_counter() - tc if case.closed is not None else \
            sum(done_refs[(case.name, rho)][1] for rho in rhos)
        caps = [cap for _, (_, cap) in refs]
        results = {}

        t0 = time.perf_counter()
        radial_fourier(case.obj, case.d, 0, dps=DPS)            # warm-up: the plan
        t_warm = time.perf_counter() - t0
        results["harmonic"] = run_forked(harmonic_point(case), rhos, args.repeat, timeout)
        radial_fourier(case.obj, case.d, 0, dps=DPS, certified=True)     # warm-up: the Arb numbers
        results["certified"] = run_forked(certified_point(case), rhos, args.repeat, timeout)
        plain = mpmath_plain(case)
        plain(0.0)
        results["mpmath-30"] = run_forked(plain, rhos, args.repeat, timeout)
        results["scipy-quad"] = _timed_points(scipy_quad(case), rhos, args.repeat)

        ht, _ = hankel_transform(case, 0.05, None)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vals, per = run_vectorised(lambda: ht.transform(case.np_f, np.array(rhos), ret_err=False),
                                       rhos, args.repeat)
        results["hankel-default"] = [Outcome("ok", float(v), per) for v in vals]
        ht2, h, N, t_tune, change = hankel_tune(case, rpos, h_min)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vals, per = run_vectorised(lambda: ht2.transform(case.np_f, np.array(rhos), ret_err=False),
                                       rhos, args.repeat)
        results["hankel-tuned"] = [Outcome("ok", float(v), per) for v in vals]

        t0 = time.perf_counter()
        q = mcfit_tune(case, rpos)
        t_q = time.perf_counter() - t0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (yy, vals), per = run_vectorised(lambda: _mcfit_values(case, q, 10, 128, rpos), rhos_pos, args.repeat)
        mismatch = float(np.max(np.abs(yy - rpos) / rpos))
        results["mcfit"] = [Outcome("n/a")] + [Outcome("ok", float(v), per) for v in vals]

        for m in methods:
            s = score(results[m], refs, harmonic=(m == "harmonic"), certified=(m == "certified"))
            rows.append((case.name, m, s))
            if m == "harmonic":
                harmonic_ms.append(s["ms_med"])
                harmonic_issues += [(case.name,) + b for b in s["bad"]]
            if m == "certified":
                certified_ms.append(s["ms_med"])
                certified_issues += [(case.name,) + b for b in s["bad"]]
        notes.append(f"{case.name}: reference {min(caps)}..{max(caps)} digits ({t_ref:.1f} s); harmonic "
                     f"first call (plan) {t_warm * 1e3:.0f} ms; hankel-tuned h={h:.3g} N={N} (median change "
                     f"{change:.1e}, tuning {t_tune:.1f} s); mcfit q={q:g} (tuning {t_q:.2f} s, "
                     f"max |y-rho|/rho {mismatch:.1e}); case total {time.perf_counter() - tc:.1f} s")
        print(f"  done {case.name} in {time.perf_counter() - tc:.1f} s", flush=True)

    # the 200-point grid for Phi_eps(7, 1/10)
    eps7 = almost_lam_harmonic(7, sp.Rational(1, 10))
    grid = np.logspace(-3, 3, 200)
    radial_fourier(eps7, 7, 1.0, dps=DPS)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for rho in grid:
            radial_fourier(eps7, 7, float(rho), dps=DPS)
        times.append(time.perf_counter() - t0)
    t_grid = statistics.median(times)

    head = f"{'case':<17} {'method':<15} {'ms/pt med':>10} {'ms/pt max':>10} {'min dig':>8} {'med dig':>8} " \
           f"{'spurious':>8} {'unres':>6}  failed"
    print()
    print(head)
    print("-" * len(head))
    last = None
    for name, m, s in rows:
        if last is not None and name != last:
            print()
        last = name
        print(f"{name if m == 'harmonic' else '':<17} {m:<15} {s['ms_med']:>10.3f} {s['ms_max']:>10.3f} "
              f"{s['dig_min']:>8.1f} {s['dig_med']:>8.1f} {s['spurious']:>8d} "
              f"{s['unresolved'] if m == 'harmonic' else '-':>6}  {_fails_text(s['fails'])}")
    print()
    print("notes:")
    for n in notes:
        print("  " + n)
    print()
    strict = [i for i in harmonic_issues if i[2] == "strict"]
    real = [i for i in harmonic_issues if i[2] != "strict"]
    print(f"harmonic checks: {len(real)} point(s) with a wrong digit or a failure; {len(strict)} point(s) where "
          "the actual error exceeds the reported error only by the final rounding to dps digits")
    for name, rho, what, extra in real:
        print(f"  {name} rho={rho:g}: {what} {extra}")
    print(f"certified checks: {len(certified_issues)} ball(s) missing the reference")
    for name, rho, what, extra in certified_issues:
        print(f"  {name} rho={rho:g}: {what} {extra}")
    print()
    finite = [x for x in harmonic_ms if math.isfinite(x)]
    pairs = [(c, h) for c, h in zip(certified_ms, harmonic_ms) if math.isfinite(c) and math.isfinite(h)]
    worker.join()
    print(f"certified: median over cases of the median ms per point {statistics.median(c for c, _ in pairs):.2f} ms; "
          f"certified/harmonic per case: median {statistics.median(c / h for c, h in pairs):.2f}, max "
          f"{max(c / h for c, h in pairs):.2f} (same run)")
    print(f"summary: harmonic median over cases of the median ms per point: {statistics.median(finite):.2f} ms; "
          f"200-point rho grid (1e-3..1e3) for almost_lam_harmonic(7, 1/10): {t_grid:.2f} s "
          f"({t_grid / 200 * 1e3:.2f} ms per point); total run {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
