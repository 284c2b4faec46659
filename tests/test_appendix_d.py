"""The claims of verification/appendix_d.py: each reproduces its verdict, its control is
rejected, and the deciding numbers are the ones recorded in the errata (exact rationals
computed by hand in the comments)."""
import pytest
import sympy as sp

from verification import appendix_d as D
from verification.registry import registered

IDS = ["Lemma D.1", "Lemma D.2", "Algorithm 1 (sign rule)", "Algorithm 2 (termination rule)", "Theorem 2.3"]


def _claim(cid):
    return next(c for c in registered() if c.id == cid)


def test_registered_verdicts():
    """(Each claim's check, control and corrected version run in tests/test_claims.py.)"""
    assert {cid: _claim(cid).status for cid in IDS} == {
        cid: ("holds" if cid == "Lemma D.1" else "erratum") for cid in IDS}


def test_d1_is_sharp_and_exact():
    ev = D._d1_check(sp.Rational(1, 2))
    rows = ev.details["(b) extreme functions"]
    # quadratic g y + y^2/2 at alpha = 99/100: decrease alpha (1 - alpha/2) = 9999/20000
    assert rows["g y + y^2/2, alpha = 99/100"]["decrease"] == "9999/20000"
    assert ev.margin == pytest.approx(0.01)          # ratio 101/200 vs 1/2


def test_d2_deciding_numbers():
    ev = D._d2_check(sp.Rational(1, 2))
    rows = ev.details["(b) extreme functions"]
    # f = -y/1000 - y^2/2 + y^3/6, beta = 1/2: decrease = 1/2000 + 1/8 - 1/48 = 157/1500 < 1/8
    assert rows["-y/1000 - y^2/2 + y^3/6, alpha = 1/2"]["decrease"] == "157/1500"
    c3 = next(v for k, v in rows.items() if k.startswith("C^3"))
    assert c3["decrease"] == str(sp.Rational(1, 3) + sp.Rational(1, 1000))
    assert c3["hypotheses"]["thrice differentiable"] is True
    assert not ev.passed
    assert D._d2_check(sp.Rational(1, 3)).passed
    assert not D._d2_check(sp.Rational(1, 3) + sp.Rational(1, 100)).passed   # 1/3 is sharp


def test_piecewise_poly_detects_kink():
    # f'' = |y| has no third derivative at 0
    f = D._PiecewisePoly.from_second_derivative([(-D.Y, -1, 0), (D.Y, 0, 1)], 0, 0, "kink")
    assert not f.thrice_differentiable()
    ok, hyp = f.hypotheses(1, 10, 10, 10)
    assert not ok


def test_theorem_2_3_exact_factor():
    s = D._t23_setup()
    assert [D._compare_fields(s, scale)[key] for scale in (2, 1) for key in ("identical", "ratio")] == \
        [False, sp.Rational(1, 2), True, 1]
