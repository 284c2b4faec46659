"""The ``harmonic`` command: verification, tables, figures and the exact/precise layers.

Subcommands (``harmonic <command> --help`` for each)::

    harmonic verify     re-check every claim of the paper (= python -m verification)
    harmonic tables     write the LaTeX tables into a folder
    harmonic figures    write the figures (PNG and PDF; needs matplotlib)
    harmonic potential  p(r), Phi and Phi_eps exactly, with the exact sign pattern
    harmonic realize    is a potential realizable (Theorem 2.1 / B.2)? and its activation
    harmonic descend    run a descent algorithm on a random instance and summarise it
    harmonic table2     run the Section 5 sweep (Table 2; Figures 1-2 via `harmonic figures`)
    harmonic report     the annotated paper: every statement with its verdict (standalone HTML)

Exit status: 0 success; 1 a claim failed (``verify``) or a missing optional dependency;
2 bad input (a value out of range, an expression the computation cannot take, a result that
cannot reach the requested accuracy, a file or a scheduler that cannot be reached), with a
one-line message naming the problem (never a traceback). ``--json``
prints machine-readable output on standard output; progress goes to standard error.

Run as ``harmonic ...`` (console script) or ``python -m harmonic.cli ...``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tokenize
from pathlib import Path
from typing import Any, Sequence

import mpmath
import sympy as sp

from harmonic.exact import CATALOGUE, RHO, entries

__all__ = ["main", "parse_expression"]

_PROG = "harmonic"

#: Names an expression may use: sympy functions and constants, nothing else.
_FUNCTIONS = {name: getattr(sp, name) for name in (
    "exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
    "erf", "erfc", "besselk", "besseli", "besselj", "gamma", "Abs", "sign", "Min", "Max",
    "Piecewise", "Heaviside", "pi", "E", "Rational", "Integer", "Float", "Symbol", "Function")}
_FUNCTIONS |= {"abs": sp.Abs, "e": sp.E, "oo": sp.oo}
_MAX_LENGTH = 2000


def parse_expression(text: str, variables: dict[str, sp.Symbol]) -> sp.Expr:
    """Parse ``text`` into a sympy expression in the given variables, safely.

    Only sympy's elementary and special functions (exp, log, sqrt, trigonometric and
    hyperbolic functions, erf, Bessel functions, gamma, Abs, Piecewise, ...) and the
    constants pi and E are known; ``^`` means power. Anything else (another name,
    attribute access, a string longer than 2000 characters) raises ``ValueError``.

    Examples
    --------
    >>> r = sp.Symbol("r", positive=True)
    >>> parse_expression("exp(-r)/r", {"r": r})
    exp(-r)/r
    >>> parse_expression("Piecewise((1 - r, r <= 1), (0, True))", {"r": r})
    Piecewise((1 - r, r <= 1), (0, True))
    >>> parse_expression("__import__('os')", {"r": r})
    Traceback (most recent call last):
    ...
    ValueError: the expression may not contain '__'
    >>> parse_expression("exp(-x)", {"r": r})
    Traceback (most recent call last):
    ...
    ValueError: unknown name in 'exp(-x)': x (use r)
    """
    from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication, parse_expr,
                                            standard_transformations)

    if not isinstance(text, str) or not text.strip():
        raise ValueError("the expression is empty")
    if len(text) > _MAX_LENGTH:
        raise ValueError(f"the expression is longer than {_MAX_LENGTH} characters")
    if "__" in text:
        raise ValueError("the expression may not contain '__'")
    if re.search(r"\.\s*[A-Za-z_]", text):
        raise ValueError("the expression may not use attribute access ('.name')")
    known = dict(_FUNCTIONS) | dict(variables)
    try:
        expr = parse_expr(text, local_dict=dict(variables), global_dict={"__builtins__": {}, **known},
                          transformations=standard_transformations + (convert_xor, implicit_multiplication))
    except (SyntaxError, TypeError, NameError, AttributeError, tokenize.TokenError, sp.SympifyError) as exc:
        raise ValueError(f"cannot parse {text!r}: {exc}") from None
    if not isinstance(expr, sp.Basic):
        expr = sp.sympify(expr)
    unknown = expr.free_symbols - set(variables.values())
    if unknown or expr.atoms(sp.core.function.AppliedUndef):
        names = sorted(map(str, unknown | {f.func for f in expr.atoms(sp.core.function.AppliedUndef)}))
        raise ValueError(f"unknown name in {text!r}: {', '.join(names)} (use {', '.join(variables)})")
    return expr


# ---------------------------------------------------------------------------------------
# argument types: a ValueError becomes argparse's one-line usage error
# ---------------------------------------------------------------------------------------

def _int_type(minimum: int, what: str, *, odd: bool = False, maximum: int | None = None,
              why: str = ""):
    """An argparse type: an integer >= ``minimum`` (and odd if asked, and <= ``maximum``),
    else a usage error naming what was expected (and ``why`` the maximum)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < minimum or (odd and value % 2 == 0):
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected at most {maximum}{f' ({why})' if why else ''}, "
                                             f"got {value}")
        return value

    return parse


_odd_dimension = _int_type(3, "an odd integer >= 3", odd=True)
_dimension = _positive_int = _int_type(1, "a positive integer")
_dps = _int_type(10, "an integer >= 10 (digits)", maximum=200,
                 why="the transforms verify at most 280 working digits and cost grows fast with the digits")
_seed = _int_type(0, "a non-negative integer (numpy's seeds are >= 0)")
#: Limits of the command line's own loops (the library takes larger values where it can).
_MAX_ORDER, _MAX_POINTS, _MAX_REFINE, _MAX_T, _MAX_SEEDS, _MAX_VARIABLES = 100, 1000, 10, 10**6, 10_000, 4000


def _exact(text: str) -> sp.Rational:
    """An exact rational: ``1/10``, ``0.1``, ``2``."""
    try:
        return sp.Rational(text)
    except (TypeError, ValueError, ZeroDivisionError, sp.SympifyError):
        raise argparse.ArgumentTypeError(f"expected an exact number such as 1/10 or 0.1, got {text!r}") from None


def _print_json(data: Any) -> None:
    from verification.runner import json_safe

    print(json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False))


# ---------------------------------------------------------------------------------------
# tables, figures
# ---------------------------------------------------------------------------------------

def _table2_result(out: str, path: str | None, notes: list[str]):
    """The stored Table 2 sweep (``table2.json`` of ``harmonic table2``), or None with a note."""
    source = Path(path) if path else Path(out) / "table2.json"
    if not source.exists():
        notes.append(f"no Table 2: {source} not found (run `harmonic table2` first)")
        return None
    try:
        from harmonic.experiments import Table2Result
    except ImportError as exc:
        notes.append(f"no Table 2: harmonic.experiments is not importable ({exc})")
        return None
    try:
        return Table2Result.read_json(source)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot read the Table 2 sweep {source}: {exc}") from None


def _paper_protocol_data(path: str | None, notes: list[str]):
    """The stored paper-protocol Table 2 runs (``--paper-protocol PATH``, default the
    checkout's ``data/table2-paper-protocol.json``), or None with a note."""
    from harmonic.experiments.paper import read_data

    source = Path(path) if path else Path(__file__).resolve().parent.parent / "data" / "table2-paper-protocol.json"
    if not source.is_file():
        if path:
            raise ValueError(f"--paper-protocol {path}: no such file")
        notes.append("no Table 2 under the paper's protocol: no stored runs (harmonic table2 --protocol paper)")
        return None
    return read_data(source)


def _tables(args) -> int:
    from harmonic.report.tables import errata_table, paper_tables, summary_table, write_tables
    from verification import all_claims

    claims = all_claims()
    report = Path(args.report) if args.report else Path(args.out) / "report.json"
    tables, results, notes = [], None, []
    table2 = _table2_result(args.out, args.table2, notes)          # inputs first, before the work
    paper_data = _paper_protocol_data(args.paper_protocol, notes)
    if report.exists():
        try:
            doc = json.loads(report.read_text(encoding="utf-8"))
            rows = doc["claims"]
            results = {r["id"]: bool(r["ok"]) for r in rows}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read the verification report {report}: {exc}") from None
        tables.append(summary_table(rows, context=doc.get("context")))
    else:
        notes.append(f"no verification summary: {report} not found (run `harmonic verify` first)")
    tables += paper_tables(claim_ids=[c.id for c in claims], results=results, dps=args.dps,
                           show_progress=False if args.no_progress else None)
    tables.append(errata_table(claims))
    extra = []
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if table2 is not None:
        from harmonic.experiments import write_table2_tex

        extra = [write_table2_tex(table2, Path(args.out) / "table2.tex")]
    if paper_data is not None:
        from harmonic.experiments.table2 import write_paper_table2_tex

        extra.append(write_paper_table2_tex(paper_data, Path(args.out) / "table2_paper_protocol.tex"))
    paths = write_tables(tables, args.out, also=[p.stem for p in extra])
    paths[-1:-1] = extra
    for note in notes:
        print(f"{_PROG} tables: {note}", file=sys.stderr)
    if args.json:
        _print_json({"written": [str(p) for p in paths], "skipped": notes})
    else:
        print("tables written: " + ", ".join(map(str, paths)))
    return 0


def _figures(args) -> int:
    from harmonic.report.figures import write_figures

    notes: list[str] = []
    table2 = _table2_result(args.out, args.table2, notes)          # inputs first, before the work
    paper_data = _paper_protocol_data(args.paper_protocol, notes)
    paths = write_figures(args.out, d=args.d, eps=args.eps, lam=args.lam, formats=tuple(args.format),
                          show_progress=False if args.no_progress else None)
    if table2 is not None:                           # Figures 1-2 of the paper, from the sweep
        from harmonic.experiments import make_figures

        paths += make_figures(table2, args.out, formats=tuple(args.format))
    if paper_data is not None:                       # ... and under the paper's protocol
        from harmonic.experiments.table2 import make_paper_figures

        paths += make_paper_figures(paper_data, args.out, formats=tuple(args.format))
    for note in notes:
        print(f"{_PROG} figures: {note.replace('no Table 2', 'no Figures 1-2')}", file=sys.stderr)
    if args.json:
        _print_json({"written": [str(p) for p in paths], "skipped": notes})
    else:
        print("figures written: " + ", ".join(map(str, paths)))
    return 0


def _printed(paper: str | None, notes: list[str]):
    """The paper's statements as printed: ``--paper`` (the paper's text, or the JSON of
    ``python -m harmonic.report.annotated``), else the copy in the checkout's docs/_static."""
    from harmonic.report.annotated import printed_statements

    source = Path(paper) if paper else Path(__file__).resolve().parent.parent / "docs" / "_static" / "paper.json"
    if not source.is_file():
        if paper:
            raise ValueError(f"--paper {paper}: no such file")
        notes.append("the statements as printed are not shown (give --paper PAPER.txt)")
        return None
    try:
        text = source.read_text(encoding="utf-8")
        return json.loads(text) if source.suffix == ".json" else printed_statements(text)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the paper's statements from {source}: {exc}") from None


def _report(args) -> int:
    from harmonic.report.annotated import write_html
    from verification import all_claims
    from verification.coverage import INDEX

    source = Path(args.report)
    if not source.is_file():
        raise ValueError(f"no verification report at {source} (run `harmonic verify` first, or give --report PATH)")
    try:
        report = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the verification report {source}: {exc}") from None
    if not isinstance(report, dict) or not isinstance(report.get("claims"), list):
        raise ValueError(f"{source} is not a verification report (no 'claims' list)")
    notes: list[str] = []
    printed = _printed(args.paper, notes)
    figures = Path(args.figures) if args.figures else source.parent
    try:
        path = write_html(report, args.html, coverage=INDEX, registry={c.id: c.statement for c in all_claims()},
                          printed=printed, figures_dir=figures, source=str(source))
    except OSError as exc:
        raise ValueError(f"cannot write the page into {args.html}: {exc}") from None
    for note in notes:
        print(f"{_PROG} report: {note}", file=sys.stderr)
    if args.json:
        _print_json({"written": str(path), "skipped": notes})
    else:
        print(f"annotated paper written: {path}")
    return 0


# ---------------------------------------------------------------------------------------
# potential
# ---------------------------------------------------------------------------------------

def _potential(args) -> int:
    try:
        return _potential_report(args)
    except OverflowError:
        raise ValueError(f"the exact Phi_eps for d={args.d}, eps={sp.N(args.eps, 3)} has coefficients beyond the "
                         "float range (they grow like eps^(-2d)); choose a larger eps or a smaller d") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise ValueError(f"the exact Phi_eps for d={args.d}, eps={sp.N(args.eps, 3)} has integers of more than "
                         f"{sys.get_int_max_str_digits()} digits (Python's limit for printing an integer: "
                         "its coefficients grow like eps^(-2d)); choose a larger eps or a smaller d") from None


def _potential_report(args) -> int:
    from harmonic.exact import almost_lam_harmonic, lam_harmonic_potential

    phi = lam_harmonic_potential(args.d, args.lam)
    phi_eps = almost_lam_harmonic(args.d, args.eps, args.lam)
    proof = phi_eps.sign_pattern()
    lower = sp.expand(phi_eps.lower_derivative(0))
    orders = [{"j": j, "lower": lo.holds, "upper": up.holds}
              for j, (lo, up) in enumerate(zip(proof.lower, proof.upper))]
    data = {
        "d": args.d, "lambda": str(phi.lam), "eps": str(args.eps),
        "p": str(phi.poly.as_expr()),
        "p_coefficients": [str(c) for c in reversed(phi.poly.all_coeffs())],
        "phi": str(phi.expr), "laplacian_residual": str(phi.harmonic_residual()),
        "phi_eps_lower": str(lower), "phi_eps_upper": str(phi_eps.upper_derivative(0)),
        "phi_eps_0_unnormalised": str(phi_eps.value_at_zero),
        "sign_pattern": {"holds": proof.holds, "orders": orders,
                         "witnesses": {str(j): str(w) for j, w in proof.witnesses.items()}},
    }
    if args.json:
        _print_json(data)
        return 0
    yes = {True: "proved", False: "FAILS", None: "undecided"}
    lines = [
        f"Lemma B.9, d = {args.d}, lambda = {phi.lam}:",
        f"  p(r)   = {data['p']}",
        f"  Phi(r) = {data['phi']}   (Delta Phi - lambda Phi = {data['laplacian_residual']})",
        f"Lemma 4.2, eps = {args.eps} (Phi_eps(0) = 1 after dividing by {data['phi_eps_0_unnormalised']}):",
        f"  Phi_eps(r) = {data['phi_eps_lower']}   for r < {args.eps}",
        f"  Phi_eps(r) = {data['phi_eps_upper']}   for r >= {args.eps}",
        f"Sign pattern (-1)^j Phi_eps^(j) >= 0 on r > 0, j = 0..{args.d - 1}: "
        f"{'proved (exact certificates)' if proof.holds else 'NOT proved'}",
        "   j  on [0, eps] (Bernstein)  on [eps, oo) (q-polynomials)",
    ]
    lines += [f"  {o['j']:>2}  {yes[o['lower']]:<23}  {yes[o['upper']]}" for o in orders]
    lines += [f"  witness of a wrong sign, order {j}: r = {w}" for j, w in data["sign_pattern"]["witnesses"].items()]
    print("\n".join(lines))
    return 0


# ---------------------------------------------------------------------------------------
# realize
# ---------------------------------------------------------------------------------------

def _realize_sphere(args) -> int:
    from harmonic.precise import activation_from_taylor, dual, taylor_realizability

    f = parse_expression(args.expression, {"rho": RHO, "t": RHO})
    rep = taylor_realizability(f, args.order, variable=RHO)
    data: dict[str, Any] = {"potential": str(f), "domain": "sphere", "order": args.order,
                            "taylor_coefficients": [str(c) for c in rep.coefficients],
                            "realizable": rep.realizable, "kind": "exact",
                            "witness": None if rep.witness is None else
                            {"i": rep.witness[0], "c_i": str(rep.witness[1])}}
    if rep.realizable:
        sigma = activation_from_taylor(list(rep.coefficients))
        with mpmath.workdps(args.dps + 10):
            half = mpmath.mpf(1) / 2
            check = dual(sigma, half, dps=args.dps)
            target = sigma.potential(half)
        data["activation"] = {
            "formula": "sigma = sum_i sqrt(c_i) h_i, h_i = He_i/sqrt(i!) (Theorem B.2)",
            "sqrt_coefficients": [str(sp.sqrt(c)) for c in rep.coefficients],
            "dual_at_half": mpmath.nstr(check.value, 15), "dual_error": mpmath.nstr(check.error, 3),
            "truncated_potential_at_half": mpmath.nstr(target, 15)}
    if args.json:
        _print_json(data)
        return 0
    print(f"Potential on the sphere: f(rho) = {f}, rho = theta^T w (Lemma B.1, Theorem B.2)")
    print(f"Taylor coefficients c_0..c_{args.order} (exact): {', '.join(data['taylor_coefficients'])}")
    if rep.realizable:
        act = data["activation"]
        print(f"Realizable through order {args.order}: every c_i >= 0 (exact; all orders are needed for f itself)")
        print(f"Activation: {act['formula']}, sqrt(c_i) = {', '.join(act['sqrt_coefficients'])}")
        print(f"Check: E[sigma(X) sigma(Y)] at rho = 1/2 = {act['dual_at_half']} (quadrature, error "
              f"{act['dual_error']}); sum_i c_i 2^-i = {act['truncated_potential_at_half']}")
    else:
        i, c = rep.witness
        print(f"Not realizable: c_{i} = {c} < 0 (exact): f is the dual of no activation")
    return 0


def _realize(args) -> int:
    if args.sphere:
        return _realize_sphere(args)
    from harmonic.exact import R, RadialPotential
    from harmonic.precise import realizability

    f = parse_expression(args.expression, {"r": R})
    phi = RadialPotential(f, r=R, name=args.expression)
    rep = realizability(phi, args.d, rho_min=args.rho_min, rho_max=args.rho_max, points=args.points,
                        refine=args.refine, dps=args.dps)
    data = {"potential": str(f), "domain": f"R^{args.d}", **rep.summary()}
    if args.json:
        _print_json(data)
        return 0
    verdict = {True: "yes", False: "no", None: "undecided"}[rep.realizable]
    print(f"Potential on R^{args.d}: Phi(r) = {f}")
    print(f"Realizable (Theorem 2.1: F(Phi) >= 0)? {verdict}")
    how = ("refined by bounded minimisation between the grid neighbours of the lowest grid value"
           if rep.minimum_kind == "refined" else "the lowest grid value")
    print(f"  grid: {len(rep.grid)} rho in [{args.rho_min:g}, {args.rho_max:g}] and 0 ({rep.kind}); "
          f"smallest resolved F = {data['minimum'][1]} at rho = {data['minimum'][0]} ({how})")
    print(f"  large rho: sign {rep.asymptotic} ({rep.asymptotic_kind}): {rep.asymptotic_term}")
    if rep.witness is not None:
        print(f"  witness: F(Phi)({data['witness rho']}) < 0")
    if rep.unresolved:
        print(f"  unresolved (|F| below its error): {len(rep.unresolved)} rho, e.g. {', '.join(data['unresolved rho'][:3])}")
    return 0


# ---------------------------------------------------------------------------------------
# descend, table2
# ---------------------------------------------------------------------------------------

def _recovery(args) -> int:
    from dataclasses import asdict

    from harmonic.fast.recovery import STUDY, recovery_sweep, study_markdown

    if args.dimensions:
        from harmonic.fast import recovery_study as rs

        out = Path(args.out) if args.out else rs.STUDY_PATH
        data = rs.run_study(out, seeds=range(args.seeds), executor=args.executor, max_workers=args.workers,
                            budget_seconds=args.budget_seconds, progress=None if args.no_progress else True,
                            command="harmonic recovery --dimensions " + " ".join(
                                f"--{k.replace('_', '-')} {v}" for k, v in (("seeds", args.seeds),
                                ("workers", args.workers), ("budget_seconds", args.budget_seconds)) if v is not None))
        print(rs.study_table(data))
        missing = {c.key: args.seeds - len(data["cells"].get(c.key, {}).get("runs", [])) for c in rs.DIMENSION_STUDY}
        if any(missing.values()):
            print(f"\nnot finished (seeds still to run per cell): "
                  f"{', '.join(f'{k} {v}' for k, v in missing.items() if v)}; run the same command again to resume")
        return 0
    results = recovery_sweep(STUDY, range(args.seeds), executor=args.executor,
                             progress=None if args.no_progress else True)
    if args.json:
        print(json.dumps([{"config": asdict(c), "summary": s.to_dict(),
                           "runs": [r.to_dict() for r in runs]} for c, s, runs in results]))
    else:
        print(study_markdown(results))
    return 0


def _descend(args) -> int:
    import numpy as np

    from harmonic.fast import descent, potentials
    from harmonic.fast.loss import Loss

    n = args.k * (1 + args.d)
    if n > _MAX_VARIABLES:
        raise ValueError(f"--k {args.k} and --d {args.d} give k (1 + d) = {n} variables; the command line "
                         f"allows at most {_MAX_VARIABLES} (the Hessian of Algorithms 1-2 is n x n, "
                         f"{8 * n * n / 1e9:.3g} GB here)")
    params = {"d": args.d, "eps": args.eps}
    potential = potentials.fast_potential(
        args.potential, **{p: v for p, v in params.items() if p in CATALOGUE[args.potential].params})
    from harmonic.fast.recovery import greedy_init, random_teacher

    # Theorem 4.6's instance, as the recovery study draws it (harmonic.fast.recovery):
    # w_j ~ N(0, d log d I), b_j uniform in [-1, 1] (|b_j| >= 0.1, teachers 2 apart); Lemma E.4's start
    teacher = random_teacher(args.d, args.k, b_min=0.1, min_separation=2.0, seed=args.seed)
    w, b = teacher.w, teacher.b
    a0, theta0 = greedy_init(potential, teacher, args.k, rng=args.seed + 1)
    loss = Loss(potential, b, w, regularized=args.regularized)
    x0 = loss.pack(a0, theta0)
    run = {"gd": descent.gd, "hd": descent.hd, "second-gd": descent.second_gd}[args.algorithm]
    res = run(descent.loss_objective(loss), x0, alpha=args.alpha, T=args.T,
              progress=False if args.no_progress else None)
    a, theta = loss.unpack(res.x)
    dist = np.linalg.norm(theta[:, None, :] - w[None, :, :], axis=2)
    nearest = dist.argmin(axis=1)
    data = {"potential": args.potential, "d": args.d, "k": args.k, "seed": args.seed,
            "algorithm": res.algorithm, "reason": res.reason, "message": res.message,
            "iterations": res.iterations, "initial_loss": float(res.history[0]), "final_loss": res.value,
            "grad_norm": res.grad_norm, "lambda_min": res.lambda_min,
            "units": [{"i": i, "a": float(a[i]), "theta": theta[i].tolist(), "nearest_w": int(j),
                       "b_nearest": float(b[j]), "distance": float(dist[i, j])} for i, j in enumerate(nearest)]}
    if args.json:
        _print_json(data)
        return 0
    print(f"{res.algorithm} on loss {'G = L + |a|^2' if args.regularized else 'L'} (1), {args.potential} "
          f"potential, d = {args.d}, k = {args.k}, seed {args.seed}")
    print(f"stopped: {res.reason} after {res.iterations} iterations ({res.message})")
    print(f"loss: {data['initial_loss']:.6g} -> {res.value:.6g}; |grad| = "
          f"{'-' if res.grad_norm is None else f'{res.grad_norm:.3g}'}, lambda_min = "
          f"{'-' if res.lambda_min is None else f'{res.lambda_min:.3g}'}")
    for u in data["units"]:
        print(f"  theta_{u['i']}: a = {u['a']:+.4f}, nearest w_{u['nearest_w']} (b = {u['b_nearest']:+.4f}) "
              f"at distance {u['distance']:.3g}")
    best = min(data["units"], key=lambda u: u["distance"])
    if args.potential == "phi_eps":
        eps = float(args.eps)
        found = best["distance"] < eps
        print(f"Theorem 4.1's conclusion (some theta_i within eps = {eps:g} of a w_j): "
              f"{'yes' if found else 'no'}, theta_{best['i']} at {best['distance']:.3g} from w_{best['nearest_w']}"
              + (" -- a unit on a teacher sits at Phi_eps's cusp, where no step decreases L further"
                 if found and res.reason == "insufficient_decrease" else ""))
    return 0


def _table2(args) -> int:
    if args.protocol == "paper":
        return _table2_paper(args)
    from harmonic.experiments import run_table2

    res = run_table2(quick=args.quick, out=args.out, executor=args.executor, max_workers=args.max_workers,
                     progress=False if args.no_progress else None)
    out = Path(args.out)
    data = {"written": [str(out / "table2.json"), str(out / "table2.tex")], "seconds": res.seconds,
            "test_error": {opt: {str(D): v for D, v in res.grid(opt).items()} for opt in res.optimizers},
            "diverged": len(res.diverged)}
    if args.json:
        _print_json(data)
        return 0
    for opt in res.optimizers:
        print(f"{opt}: test error by depth (widths {', '.join(map(str, res.config.widths))})")
        for D, row in res.grid(opt).items():
            print(f"  depth {D:>2}: " + "  ".join(f"{v:.4f}" for v in row))
    print(f"written: {', '.join(data['written'])} ({res.seconds:.1f} s); Figures 1-2: harmonic figures --out {out}")
    return 0


def _table2_paper(args) -> int:
    """The paper's protocol (GD, step 1e-5, 10^6 steps): a resumable sweep with checkpoints."""
    from harmonic.experiments.paper import PaperSweep, run_paper_sweep

    if args.quick:
        raise ValueError("--quick is the budget sweep's CI size; the paper protocol has one size "
                         "(use --steps for a shorter trial run)")
    folder = Path(args.resume or args.out)
    if args.resume and not (folder / "sweep.json").is_file():
        raise ValueError(f"--resume {folder}: no sweep there (no sweep.json); start one with --out DIR")
    sweep = None
    if not args.resume:
        sweep = PaperSweep(steps=args.steps) if args.steps else PaperSweep()
    elif args.steps:
        raise ValueError("--steps cannot change a sweep being resumed (its protocol is in sweep.json)")
    data = run_paper_sweep(folder, sweep, executor=args.executor, max_workers=args.max_workers,
                           progress=False if args.no_progress else True)
    path = folder / "table2-paper-protocol.json"
    done = sum(r["complete"] for r in data["runs"])
    summary = {"written": str(path), "complete": data["complete"], "runs finished": done,
               "runs": len(data["runs"]), "cpu_seconds": data["cpu_seconds"]}
    if args.json:
        _print_json(summary)
        return 0
    print(f"paper protocol: {done}/{len(data['runs'])} runs finished; written {path}")
    return 0


# ---------------------------------------------------------------------------------------
# the parser
# ---------------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    from verification.runner import OneLineParser      # one-line usage errors, as `harmonic verify`

    p = OneLineParser(
        prog=_PROG, description="The paper 'Convergence Results for Neural Networks via "
        "Electrodynamics', executable. Exit status: 0 success, 1 a claim failed or an optional "
        "dependency is missing, 2 bad input.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("verify", add_help=False, help="re-check every claim of the paper "
                   "(= python -m verification; `harmonic verify --help` for its options)")

    t = sub.add_parser("tables", help="write the LaTeX tables (booktabs .tex) into a folder",
                       description="Write the paper's tables as booktabs .tex files, each one "
                       "\\input-able table environment (needs \\usepackage{array,booktabs,amsmath,amssymb}), "
                       "and tables.tex, a document that inputs them all. The verification summary "
                       "comes from a report.json written by `harmonic verify`.")
    t.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    t.add_argument("--report", metavar="PATH",
                   help="report.json of a verification run (default: DIR/report.json; skipped if absent)")
    t.add_argument("--dps", type=_dps, default=30, metavar="N",
                   help="working precision of transforms and quadratures (default 30)")
    t.add_argument("--table2", metavar="PATH",
                   help="table2.json of `harmonic table2` (default: DIR/table2.json; skipped if absent)")
    t.add_argument("--paper-protocol", metavar="PATH",
                   help="stored paper-protocol runs of `harmonic table2 --protocol paper` (default: the "
                        "checkout's data/table2-paper-protocol.json; skipped if absent)")
    t.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    t.add_argument("--json", action="store_true", help="print the files written as JSON")

    f = sub.add_parser("figures", help="write the figures (PNG and PDF; needs matplotlib)",
                       description="Phi_eps and its derivatives against the lambda-harmonic Phi, "
                       "the Fourier transform of Phi_eps, the activation's radial profile, and "
                       "Figures 1-2 of the paper when a Table 2 sweep (table2.json) is in the folder.")
    f.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    f.add_argument("--d", type=_odd_dimension, default=7, help="odd dimension >= 3 (default 7)")
    f.add_argument("--eps", type=_exact, default=sp.Rational(1, 10), help="switch radius in (0, 1) (default 1/10)")
    f.add_argument("--lam", type=_exact, default=sp.Integer(1), help="lambda > 0 (default 1)")
    f.add_argument("--format", nargs="+", choices=("png", "pdf"), default=["png", "pdf"],
                   help="file formats (default: png pdf)")
    f.add_argument("--table2", metavar="PATH",
                   help="table2.json for Figures 1-2 (default: DIR/table2.json; skipped if absent)")
    f.add_argument("--paper-protocol", metavar="PATH",
                   help="stored paper-protocol runs of `harmonic table2 --protocol paper` (default: the "
                        "checkout's data/table2-paper-protocol.json; skipped if absent)")
    f.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    f.add_argument("--json", action="store_true", help="print the files written as JSON")

    a = sub.add_parser("report", help="the annotated paper: every statement with its verdict (HTML)",
                       description="The annotated paper as a standalone HTML page: every numbered statement "
                       "of the paper in its order, with the verdict of each claim that checks it in a "
                       "verification run (report.json of `harmonic verify`), the deciding numbers, the "
                       "negative control, errata side by side and the protocol of each experiment.")
    a.add_argument("--html", required=True, metavar="OUT", help="output folder (writes OUT/annotated-paper.html)")
    a.add_argument("--report", default=str(Path("out") / "report.json"), metavar="PATH",
                   help="report.json of a verification run (default: out/report.json)")
    a.add_argument("--paper", metavar="PATH", help="the paper's text (or its statements as JSON) for the "
                   "statements as printed (default: docs/_static/paper.json of the checkout, if present)")
    a.add_argument("--figures", metavar="DIR", help="PNG figures of `harmonic figures` to show inline "
                   "(default: the report's folder)")
    a.add_argument("--json", action="store_true", help="print the file written as JSON")

    q = sub.add_parser("potential", help="p(r), Phi and Phi_eps exactly, with the sign pattern",
                       description="The lambda-harmonic potential of Lemma B.9 and the almost "
                       "lambda-harmonic Phi_eps of Lemma 4.2, exactly (sympy), with the exact proof "
                       "of the sign pattern (-1)^j Phi_eps^(j) >= 0.")
    q.add_argument("--d", type=_odd_dimension, default=7, help="odd dimension >= 3 (default 7)")
    q.add_argument("--eps", type=_exact, default=sp.Rational(1, 10), help="switch radius in (0, 1) (default 1/10)")
    q.add_argument("--lam", type=_exact, default=sp.Integer(1), help="lambda > 0 (default 1)")
    q.add_argument("--json", action="store_true", help="print JSON")

    z = sub.add_parser("realize", help="is a potential realizable? (Theorem 2.1 / B.2)",
                       description="Realizability of a potential given as an expression: in r = |theta - w| "
                       "on R^d (Theorem 2.1: the sign of its Fourier transform on a refining rho grid "
                       "and for large rho), or with --sphere in rho = theta^T w on the sphere "
                       "(Theorem B.2: exact Taylor coefficients, and the activation they give). "
                       "Examples: 'exp(-r)/r', 'Piecewise((1 - r, r <= 1), (0, True))', "
                       "--sphere 'exp(rho)'.")
    z.add_argument("expression", help="the potential, in r (or rho with --sphere)")
    z.add_argument("--d", type=_int_type(1, "a positive integer", maximum=101,
                                         why="the transform's Bessel kernel grows with d; the exact layer's limit"),
                   default=3, help="dimension (default 3, at most 101)")
    z.add_argument("--sphere", action="store_true", help="a potential f(rho) on the sphere S^{d-1}")
    z.add_argument("--order", type=_int_type(1, "a positive integer", maximum=_MAX_ORDER,
                                             why="the activation's check integrates polynomials of this degree"),
                   default=12, help=f"Taylor order with --sphere (default 12, at most {_MAX_ORDER})")
    z.add_argument("--points", type=_int_type(2, "an integer >= 2", maximum=_MAX_POINTS,
                                              why="each point is a verified transform"),
                   default=48, help=f"log-spaced rho points (default 48, at most {_MAX_POINTS})")
    z.add_argument("--refine", type=_int_type(0, "a non-negative integer", maximum=_MAX_REFINE,
                                              why="each round may double the grid"),
                   default=3, help=f"refinement rounds (default 3, at most {_MAX_REFINE})")
    z.add_argument("--rho-min", type=float, default=1e-3, help="smallest rho > 0 (default 1e-3)")
    z.add_argument("--rho-max", type=float, default=1e3, help="largest rho (default 1e3)")
    z.add_argument("--dps", type=_dps, default=30, metavar="N", help="digits (default 30)")
    z.add_argument("--json", action="store_true", help="print JSON")

    g = sub.add_parser("descend", help="run a descent algorithm on a random instance",
                       description="A random instance of Theorem 4.6 as the recovery study draws it "
                       "(w_j ~ N(0, d log d I), b_j uniform in [-1, 1], Lemma E.4's greedy start), descended by GD (Algorithm 4), Hessian descent "
                       "(Algorithm 1) or SecondGD (Algorithm 2) on the loss (1) or G = L + |a|^2; "
                       "prints why it stopped and how close each theta_i ends to a w_j.")
    radial = [e.name for e in entries("radial")]
    g.add_argument("--potential", type=lambda name: name.replace("-", "_"), choices=radial, default="phi_eps",
                   metavar="NAME", help="a radial potential of the catalogue (harmonic.exact.CATALOGUE): "
                   f"{', '.join(radial)}; default phi_eps (Lemma 4.2); d and --eps are passed to those "
                   "that take them")
    g.add_argument("--d", type=_dimension, default=3, help="dimension (default 3)")
    g.add_argument("--k", type=_positive_int, default=3, help="hidden units (default 3)")
    g.add_argument("--eps", type=_exact, default=sp.Rational(1, 2), help="Phi_eps's eps (default 1/2)")
    g.add_argument("--algorithm", choices=("gd", "hd", "second-gd"), default="second-gd",
                   help="default second-gd")
    g.add_argument("--alpha", type=float, default=5e-3, help="step size (default 5e-3)")
    g.add_argument("--T", type=_int_type(1, "a positive integer", maximum=_MAX_T), default=2000,
                   help=f"iterations (default 2000, at most {_MAX_T})")
    g.add_argument("--regularized", action="store_true", help="descend G = L + |a|^2 (Section 4)")
    g.add_argument("--seed", type=_seed, default=0, help="random seed >= 0 (default 0)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    g.add_argument("--json", action="store_true", help="print JSON")

    y = sub.add_parser("recovery", help="Theorems 4.1/4.6 on random instances: success rates",
                       description="Node-wise descent (Algorithm 3) and SecondGD on G (Algorithm 2) "
                       "on random teachers, for Phi_eps, the Gaussian and the sign potential "
                       "(harmonic.fast.recovery.STUDY): success rate with its Wilson 95 % interval, "
                       "median iterations, distance and time per configuration. See docs/empirical.md.")
    y.add_argument("--seeds", type=_int_type(1, "a positive integer", maximum=_MAX_SEEDS), default=100,
                   help=f"seeds per configuration (default 100, at most {_MAX_SEEDS})")
    y.add_argument("--executor", metavar="NAME",
                   help="'local' (default, processes), 'serial' or a Dask scheduler address")
    y.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    y.add_argument("--json", action="store_true", help="print JSON (every run)")
    y.add_argument("--dimensions", action="store_true",
                   help="the stored study of Theorems 4.1/4.6 in d = 3, 7, 11 (harmonic.fast.recovery_study): "
                        "resumes the file --out, checkpointed after every chunk of seeds (use --seeds 200)")
    y.add_argument("--out", metavar="FILE", help="with --dimensions: the study file "
                   "(default data/theorem-4-recovery.json in the repository)")
    y.add_argument("--workers", type=_positive_int, default=2, help="with --dimensions: local processes (default 2)")
    y.add_argument("--budget-seconds", type=float, metavar="S",
                   help="with --dimensions: start no chunk of seeds after S seconds (resume later)")

    x = sub.add_parser("table2", help="run the Section 5 sweep: Table 2 (and data for Figures 1-2)",
                       description="Train students on random teachers for every depth x width of "
                       "Table 2 (harmonic.experiments.run_table2); writes table2.json and table2.tex "
                       "into the folder. The full sweep takes long; --quick takes seconds.")
    x.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    x.add_argument("--protocol", choices=("budget", "paper"), default="budget",
                   help="'budget' (default: Adam and GD for 3000 steps, minutes) or 'paper' (Section 5's "
                        "own: GD, step 1e-5, 10^6 steps, depths 2-3, hours; checkpointed in DIR, resumable)")
    x.add_argument("--resume", metavar="DIR",
                   help="with --protocol paper: continue the sweep in DIR where it stopped")
    x.add_argument("--steps", type=_positive_int, metavar="T",
                   help="with --protocol paper: a shorter trial run of T steps (default 10^6)")
    x.add_argument("--quick", action="store_true", help="the CI-sized budget sweep (depths 2, 3; 2 seeds)")
    x.add_argument("--executor", metavar="NAME",
                   help="'local' (default, processes), 'serial' or a Dask scheduler address")
    x.add_argument("--max-workers", type=_positive_int, metavar="N", help="local worker processes")
    x.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    x.add_argument("--json", action="store_true", help="print JSON")
    return p


_COMMANDS = {"tables": _tables, "figures": _figures, "report": _report, "potential": _potential, "realize": _realize,
             "descend": _descend, "recovery": _recovery, "table2": _table2}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``harmonic`` command line with ``argv`` (default ``sys.argv[1:]``); return
    the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["verify"]:                      # all of verification's own options
        from verification.runner import main as verify

        return verify(argv[1:], prog=f"{_PROG} verify")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:                       # usage error (2) or --help (0)
        return int(exc.code or 0)
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, ArithmeticError) as exc:    # bad input, or accuracy not reachable for it
        print(f"{_PROG} {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:                          # a file or a scheduler that cannot be reached
        print(f"{_PROG} {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{_PROG} {args.command}: error: out of memory (use smaller sizes)", file=sys.stderr)
        return 2
    except ImportError as exc:                      # an optional dependency (matplotlib)
        print(f"{_PROG} {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line (its type where it has none)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


if __name__ == "__main__":
    raise SystemExit(main())
