"""The bounds of Lemmas 4.2 / B.9 / B.8 (harmonic.precise.bounds) and their claims.

Reference values are derived by hand below, not by the code under test. For d = 3,
lambda = 1: Phi = e^{-r}/r, so (E = e^{-1/2})

    Phi' = -(1+r) e^{-r}/r^2,  Phi'' = (r^2+2r+2) e^{-r}/r^3,  Phi''' = -(r^3+3r^2+6r+6) e^{-r}/r^4,

and at eps = 1/2: Phi = 2E, Phi' = -6E, Phi'' = 26E, Phi''' = -158E. Lemma B.8's lower piece in
h = eps - r is P = E (2 + 6h + 13h^2 - (26/3) h^3) (Taylor to order 2 plus the h^3 term fixed by
P'' = Phi''(eps) r/eps), so Phi_eps(0) = P(h = 1/2) = 43E/6, P'(0) = -(6 + 26h - 26h^2)E = -25E/2,
P''(0) = 0. The normalised values at eps are Phi~ = 12/43 and |Phi~'| = 36/43.
"""
import importlib
import json

import flint
import mpmath
import pytest
import sympy as sp

from harmonic.precise.bounds import (BoundForm, b8_lower_bound_report, bessel_derivatives,
                                     default_grid, derivative_bound_report,
                                     eps_derivative_report, lemma_4_2_bounds, monotonicity_report,
                                     normalisation_report, paper_forms, two_sided_bound_report)
from harmonic.precise.intervals import decide, enclose
from harmonic.exact import R
from verification.registry import Context, registered
from verification.runner import run_claim

HALF = sp.Rational(1, 2)


E_HALF = sp.exp(HALF)


def reference(text: str) -> flint.arb:
    """A decimal reference value as a ball at 400 bits (its radius: the decimal truncation)."""
    with flint.ctx.workprec(400):
        return flint.arb(text)


def close(a, b, digits):
    """|a/b - 1| < 10^-digits; b exact (sympy) or mpmath, evaluated with digits + 20 digits."""
    with mpmath.workdps(digits + 20):
        b = mpmath.mpf(sp.N(b, digits + 20)) if isinstance(b, (sp.Basic, int)) else b
        return abs(mpmath.mpf(a) / b - 1) < mpmath.mpf(10)**(-digits)


# ---------------------------------------------------------------------------------------
# Arb enclosures of exact numbers
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("x", ["-1000", "-7/3", "-1/10", "0", "1/3", "5/2", "40"])
def test_enclose_exp_contains_the_value_and_is_tight(x):
    ball = enclose(sp.exp(sp.Rational(x)), prec=96)
    with mpmath.workdps(80):                          # mpmath's exp as the reference
        ref = mpmath.exp(mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q)
        assert ball.contains(reference(mpmath.nstr(ref, 70)))
        assert ball.rad() / abs(ball.mid()) < flint.arb(2) ** -90


def test_enclose_square_roots_constants_and_unsupported():
    ball = enclose(-sp.sqrt(2) * sp.exp(-3) + sp.Rational(1, 7) + sp.pi * sp.asin(sp.Rational(1, 3)), prec=80)
    with mpmath.workdps(60):
        ref = -mpmath.sqrt(2) * mpmath.exp(-3) + mpmath.mpf(1) / 7 + mpmath.pi * mpmath.asin(mpmath.mpf(1) / 3)
        assert ball.contains(reference(mpmath.nstr(ref, 50)))
    tiny = enclose(sp.sqrt(sp.Rational(1, 10**40)))          # relative precision for tiny numbers
    with flint.ctx.workprec(300):
        assert tiny.contains(flint.arb(flint.fmpq(1, 10**20))) and tiny.rad() * 10**20 < flint.arb(2) ** -100
    with pytest.raises(ValueError, match="cannot enclose"):
        enclose(sp.zeta(3))
    with pytest.raises(ValueError, match="free symbols"):
        enclose(sp.Symbol("x") + 1)
    with pytest.raises(ValueError, match="cannot enclose asin"):
        enclose(sp.asin(2))                                     # complex


def test_enclose_excludes_a_perturbed_value():
    # e^{1/2} against its 12-digit truncation: the ball at 80 bits excludes the perturbed value
    ball = enclose(sp.exp(sp.Rational(1, 2)), prec=80)
    assert not ball.overlaps(reference("1.648721270700"))
    assert ball.contains(reference("1.6487212707001281468486507878141635716537761007101"))


def test_decide_refines_until_the_ball_separates():
    # 1 + 2^-200 > 1 needs more than the first 64 bits
    d = decide(lambda: 1 + enclose(sp.Rational(1, 2**200), prec=flint.ctx.prec), prec=64)
    assert d.holds is True and d.prec > 200
    assert decide(lambda: flint.arb(2).sqrt() ** 2, 2).holds is None        # sqrt(2)^2 = 2 never separates


# ---------------------------------------------------------------------------------------
# the Bessel form (the independent second computation)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("d, lam, r, expected", [
    (3, 1, HALF, [2, -6, 26, -158]),                           # times e^{-1/2}, see module doc
    (3, 4, 1, [1, -3]),                                        # e^{-2r}/r: times e^{-2}
    (5, 1, 2, [sp.Rational(3, 8)]),                            # (1+r) e^{-r}/r^3: times e^{-2}
], ids=["d3-lam1", "d3-lam4", "d5"])
def test_bessel_derivatives_against_closed_forms(d, lam, r, expected):
    values = bessel_derivatives(d, lam, r, len(expected) - 1, prec=128)
    scale = sp.exp(-sp.sqrt(lam) * r)
    for v, e in zip(values, expected):
        exact = enclose(e * scale, prec=200)
        assert v.overlaps(exact) and v.rad() < abs(v.mid()) * flint.arb(2) ** -100
        # the closed form perturbed in its 30th digit lies outside the ball
        with flint.ctx.workprec(200):
            assert not v.overlaps(exact * (1 + flint.arb(10) ** -30))


# ---------------------------------------------------------------------------------------
# hand-derived d = 3, eps = 1/2 values
# ---------------------------------------------------------------------------------------

def test_normalisation_d3_hand_values():
    rep = normalisation_report(3, HALF)
    assert rep.holds and rep.kind == "exact"
    # Phi_eps(0)/Phi_eps(eps) = (43E/6)/(2E) = 43/12; Phi_eps(eps) e^{1} = 2 e^{1/2}
    assert close(rep.cases[0].margin, sp.Rational(43, 12), 28)
    assert close(rep.cases[1].margin, 2 * E_HALF, 28)


def test_unnormalised_derivative_bound_d3_hand_values():
    rep = derivative_bound_report(3, HALF, normalized=False)
    bound = 3 * 13**6                    # 3 (2d + eps)^{2d} eps^{-2d} = 3 (13/2)^6 2^6
    by_k = {c.label: c for c in rep.cases}
    # sup |P| = 43E/6 and sup |P'| = 25E/2 at r = 0; sup |Phi_eps''| = 26E at r = eps
    assert by_k["k=0"].r == "0" and close(by_k["k=0"].margin, sp.Rational(bound * 6, 43) * E_HALF, 28)
    assert by_k["k=1"].r == "0" and close(by_k["k=1"].margin, sp.Rational(bound * 2, 25) * E_HALF, 28)
    assert by_k["k=2"].r == "1/2" and close(by_k["k=2"].margin, sp.Rational(bound, 26) * E_HALF, 28)
    assert rep.holds and rep.kind == "exact" and rep.worst.label == "k=2"


def test_normalised_bounds_d3_hand_values():
    e = E_HALF
    rep = derivative_bound_report(3, HALF)                       # 3 (2d+1)^{2d} eps^{-2d} e
    want = 3 * 7**6 * 2**6 * sp.E * sp.Rational(43, 156)        # sup |Phi~''| = 26E/(43E/6)
    assert close(rep.worst_margin, want, 28) and rep.where == {"d": 3, "eps": "1/2", "lambda": "1",
                                                               "case": "k=2", "r": "1/2"}
    value = two_sided_bound_report(3, HALF)
    lower, upper = value.cases
    # upper: e^{1/2} (3/2)^3 2 / (12/43); lower: (12/43) / (e^{-1/2} 2 7^{-6} 2^{-6}/3)
    assert close(upper.margin, sp.Rational(27, 4) * sp.Rational(43, 12) * e, 28)
    assert close(lower.margin, sp.Rational(12, 43) * 3 * 7**6 * 2**5 * e, 28)
    slope = two_sided_bound_report(3, HALF, quantity="slope")
    lower, upper = slope.cases
    # upper: (3 + 1/2)(3/2)^3 e^{1/2} 4 / (36/43); lower: (36/43) 3 7^6 2^6 e^{1/2}/4
    assert close(upper.margin, sp.Rational(189, 4) * sp.Rational(43, 36) * e, 28)
    assert close(lower.margin, sp.Rational(36, 43) * 3 * 7**6 * 2**4 * e, 28)
    assert all(c.kind == "exact" and c.r == "1/2" for c in value.cases + slope.cases)


def test_derivatives_at_eps_d3_hand_values():
    rep = eps_derivative_report(3, HALF)
    # (2d + eps)^{2d} eps^{-2d} = 13^6 against |Phi'''(1/2)| = 158E, the largest
    by_k = {c.label: c for c in rep.cases}
    assert rep.holds and min((c for c in rep.cases if c.label.startswith("k=")), key=lambda c: c.margin).label == "k=3"
    assert close(by_k["k=3"].margin, sp.Rational(13**6, 158) * E_HALF, 28)
    assert close(by_k["k=0"].margin, sp.Rational(13**6, 2) * E_HALF, 28)
    # the proof's step q_k <= (2d + s r)^k (1 + s r)^d, e.g. q_1 = 1 + r <= (6 + r)(1 + r)^3
    step = by_k["q_k <= (2d+sr)^k (1+sr)^d, k <= d"]
    assert step.holds and step.kind == "exact"


def test_b8_bound_d3_hand_values_and_tightness_at_eps():
    rep = b8_lower_bound_report(3, HALF, grid=[0, sp.Rational(1, 4)])
    assert rep.holds and rep.kind == "exact"
    by_k = {c.label: c for c in rep.cases}
    # k = 2 (order 0): bound E(2 + 6h + 13h^2) against P = E(2 + 6h + 13h^2 - (26/3)h^3);
    # at r = 1/4 (h = 1/4): (69/16) / (69/16 - 13/96) = 414/401, smaller than 99/86 at r = 0
    assert close(by_k["k=2 (order 0)"].grid_margin, sp.Rational(414, 401), 28)
    assert by_k["k=2 (order 0)"].grid_r == "1/4"
    at_zero = b8_lower_bound_report(3, HALF, grid=[0])
    assert close(at_zero.cases[2].grid_margin, sp.Rational(99, 86), 28)   # (2+3+13/4)/(43/6)
    # k = 0 (order 2): bound 26E against P'' = 26E r/eps: ratio eps/r (2 at r = 1/4, inf at 0)
    assert close(by_k["k=0 (order 2)"].grid_margin, 2, 28)
    # exact infimum: 1, approached as r -> eps-
    assert all(c.margin == 1 and c.r == "eps-" for c in rep.cases)


def test_monotonicity_fails_exactly_at_the_top_order():
    rep = monotonicity_report(3, HALF)
    assert [c.holds for c in rep.cases] == [True, True, False]
    assert rep.cases[2].margin == 0                             # Phi_eps''(0) = 0 < 26E
    assert close(rep.cases[1].margin, sp.Rational(25, 12), 28)  # |P'(0)| / |Phi'(eps)| = (25/2)/6
    fixed = monotonicity_report(3, HALF, claimed={0: "0", 1: "0", 2: "eps"})
    assert fixed.holds and mpmath.isinf(fixed.cases[2].margin)


@pytest.mark.parametrize("d", [7, 11])
def test_monotonicity_top_order_for_larger_d(d):
    rep = monotonicity_report(d, sp.Rational(1, 10))
    assert [c.label for c in rep.cases if not c.holds] == [f"k={d - 1}"]


# ---------------------------------------------------------------------------------------
# large r, r -> eps+, grids, precision
# ---------------------------------------------------------------------------------------

def test_default_grid_reaches_both_sides_of_eps_and_large_r():
    g = default_grid(sp.Rational(1, 10))
    eps = sp.Rational(1, 10)
    assert g[0] == 0 and g[-1] == 1000
    assert eps * (1 - sp.Rational(1, 10**15)) in g and eps * (1 + sp.Rational(1, 10**15)) in g
    assert g == tuple(sorted(g))


def test_wrong_decay_rate_is_refuted_exactly_at_large_r():
    lower = BoundForm(HALF**6 / (3 * 7**6), sp.Integer(1), -1, HALF, "e^{-r/2} ...")
    rep = two_sided_bound_report(3, HALF, lower=lower)
    case = rep.cases[0]
    assert case.holds is False and case.kind == "exact" and case.r == "1000"
    # value/bound at r = 1000: (6/43) e^{1/2} e^{-500} 3 7^6 2^6
    want = sp.Rational(6, 43) * sp.exp(HALF - 500) * 3 * 7**6 * 64
    assert close(case.margin, want, 25)


@pytest.mark.parametrize("dps", [15, 30, 60], ids=lambda p: f"dps{p}")
def test_precision_sweep_exact_and_grid_agree(dps):
    rep = two_sided_bound_report(3, HALF, dps=dps)
    upper = rep.cases[1]
    want = sp.Rational(27, 4) * sp.Rational(43, 12) * E_HALF
    assert close(upper.margin, want, dps - 2)          # exact enclosure, rounded to dps
    assert upper.grid_r == "1/2"                      # the grid's minimum is at eps (r -> eps+)
    assert close(upper.grid_margin, want, dps - 3)    # mpmath evaluation of the exact layer


def test_irrational_lambda_is_decided_exactly():
    rep = two_sided_bound_report(7, sp.Rational(1, 10), 2, quantity="slope")
    assert rep.holds and rep.kind == "exact"
    for c in rep.cases:
        assert close(c.margin, c.grid_margin, 25)     # exact value at eps = grid minimum


def test_lemma_4_2_bounds_runs_everything():
    res = lemma_4_2_bounds(7, 0.1, dps=20)            # a float eps is read through its repr
    assert res.eps == sp.Rational(1, 10)
    assert res.holds is True and res.failed() == ["proof: monotonicity"]
    rows = res.table()
    assert {r["name"] for r in rows} >= {"Lemma 4.2 derivatives", "Lemma B.9 value", "Lemma B.8 below eps"}
    assert all(r["kind"] == "exact" for r in rows)
    json.dumps([rep.to_dict() for rep in res.reports.values()], allow_nan=False)
    assert "Lemma 4.2 value" not in lemma_4_2_bounds(3, HALF, 2, dps=15).reports


def test_lemma_4_2_forms_are_the_b9_forms_at_lambda_1_up_to_constants():
    lower42, upper42 = paper_forms(3, HALF, statement="4.2")
    lower, upper = paper_forms(3, HALF)
    assert sp.simplify(upper42.poly - upper.poly) == 0 and upper42.const == upper.const == sp.E
    assert lower42.const == sp.Rational(1, 6)**6 and lower.const == HALF**6 / (3 * 7**6)
    assert upper.expr(1) == sp.Integer(8)               # (1+1)^3 e^{1-1} 1^{-1}
    assert sp.simplify(upper.expr(R) - (1 + R)**3 * sp.exp(1 - R) / R) == 0


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: derivative_bound_report(4, HALF), "Lemma B.9 bounds: .*odd integer dimension"),
    (lambda: derivative_bound_report(3.0, HALF), "odd integer dimension"),
    (lambda: two_sided_bound_report(3, 1), r"Lemma B.9 bounds: .*eps in \(0, 1\)"),
    (lambda: two_sided_bound_report(3, 0), "eps > 0"),
    (lambda: b8_lower_bound_report(3, HALF, 0), "Lemma B.8 bounds: .*lambda > 0"),
    (lambda: b8_lower_bound_report(3, HALF, -2), "lambda > 0"),
    (lambda: normalisation_report(3, sp.Symbol("e", positive=True)), "numeric eps"),
    (lambda: lemma_4_2_bounds(5.5, HALF), "Lemma 4.2 bounds"),
    (lambda: derivative_bound_report(3, HALF, dps=5), "dps must be an integer >= 10"),
    (lambda: derivative_bound_report(3, HALF, dps=True), "dps"),
    (lambda: derivative_bound_report(3, HALF, grid=[-1]), "non-negative rationals"),
    (lambda: two_sided_bound_report(3, HALF, quantity="curvature"), "quantity"),
    (lambda: two_sided_bound_report(3, HALF, 2, statement="4.2"), "Lemma 4.2's bounds are stated for lambda = 1"),
    (lambda: two_sided_bound_report(3, HALF, statement="B.10"), "statement"),
    (lambda: monotonicity_report(3, HALF, claimed={0: "1", 1: "0", 2: "0"}), "'0' or 'eps'"),
], ids=["even-d", "float-d", "eps-1", "eps-0", "lam-0", "lam-neg", "symbolic-eps", "d-5.5", "dps-5",
        "dps-bool", "negative-grid", "quantity", "4.2-lambda", "statement", "claimed"])
def test_bad_input_is_a_value_error_naming_the_condition(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------
# the registered claims (quick): verdict as recorded, controls rejected
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bound_claims():
    # imported here, not at collection, so that other test modules' registries are unchanged;
    # the bounds are the certified claims of Lemma 4.2 and of Appendix B's construction
    modules = [importlib.import_module(m).__name__
               for m in ("verification.section_4.lemma_4_2", "verification.appendix_b.construction")]
    others = {"Lemma 4.2 (d = 1 mod 4)", "Lemma B.8 (construction)"}     # certified, but not bounds
    return [c for c in registered() if c.check.__module__ in modules and c.method == "certified"
            and c.id not in others]


def test_claim_ids(bound_claims):
    ids = {c.id for c in bound_claims}
    assert {"Lemma 4.2 (bounds)", "Lemma B.9 (normalised bounds)", "Lemma B.9 (derivative bound at eps)",
            "Lemma B.8 (bound below eps)"} <= ids
    assert {c.id for c in bound_claims if c.status == "erratum"} == {"Lemma B.9 (monotonicity in the bound's proof)"}


def test_claims_quick_verdicts_and_controls(bound_claims):
    ctx = Context(quick=True, dps=30)
    for claim in bound_claims:
        result = run_claim(claim, ctx)
        assert result.error is None, (claim.id, result.error)
        assert result.passed, (claim.id, result.evidence)
        assert result.control_rejected, (claim.id, result.control_evidence)
        json.dumps(result.to_dict(), allow_nan=False)
        if claim.status == "erratum":
            assert result.evidence["passed"] is False and result.corrected_passed is True
            rows = result.evidence["details"]["rows"]
            assert all(row["failing cases"] == [f"k={row['d'] - 1}"] for row in rows)
            assert all(row["true sup at"][f"k={row['d'] - 1}"] == row["eps"] for row in rows)
        else:
            assert result.evidence["details"]["kind"].startswith("certified")
            assert result.margin >= 1


def test_bounds_table_prints_and_explains_the_erratum_row():
    import sympy as sp

    from harmonic.precise import lemma_4_2_bounds

    res = lemma_4_2_bounds(3, sp.Rational(1, 2), dps=15)
    text = str(res.table())
    lines = text.splitlines()
    assert lines[0] == "Lemmas 4.2/B.8/B.9 bounds at d = 3, eps = 1/2, lambda = 1"
    assert lines[1].split() == ["name", "kind", "holds", "worst", "margin", "where"]
    row = next(i for i, l in enumerate(lines) if l.startswith("proof: monotonicity"))
    assert " NO " in lines[row] and lines[row + 1].strip().startswith("note: erratum of B.9's proof")
    assert sum(" NO " in l for l in lines) == len(res.failed()) == 1
    assert str(res) == text and "<table>" in res._repr_html_() and "<em>erratum" in res._repr_html_()
    assert res.table()[0]["name"] == "Lemma 4.2 derivatives"          # still the list of dicts
