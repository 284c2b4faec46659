"""Every registered claim can fail: mutate one deciding step of its check and its outcome changes.

A control (``Claim.control``) shows that a check rejects one wrong *input*; this guard shows
that the verdict depends on the check's own *computation*. For each claim it mutates one
step of the code its check runs (and, for an erratum, its corrected version runs): the
functions and classes of the claim modules and their helpers (``verification/``, not the
registry, runner, reports or results) reachable from the check, found by reading their
source. A mutation is one of

- a comparison negated (``<`` -> ``>=``, ``==`` -> ``!=``, ``is`` -> ``is not``, ...),
- ``and`` <-> ``or``, ``&`` <-> ``|`` (also in ``ok &= good``), ``min`` <-> ``max``,
  ``all`` <-> ``any``, a ``not`` dropped,
- an arithmetic sign (``+`` <-> ``-``, ``*`` <-> ``/``, a unary minus dropped),
- a numeric constant c -> -c (0 -> 1): a threshold, a tolerance, an exponent.

Comparisons between constants only are never mutated, nor are boolean literals (``ok =
True``): a check whose verdict is a literal, or is decided outside its module, survives
every mutation and fails this test. Mutations are tried in order of how directly they feed
the verdict (a backward slice from the ``Evidence(passed, ...)`` argument through the
assignments and branch conditions it depends on, then the rest), and the first one that
changes the outcome (``holds`` <-> ``fails``; ``reproduced`` / ``not reproduced`` /
``inconclusive``; an erratum's corrected version ``holds`` -> ``fails``) kills the claim.
A mutant that raises or runs out of time changes nothing (a check must *answer*
differently). After :data:`TRACE_AFTER` mutants that change nothing, one traced run of the
check keeps only the sites on lines it executes. Quick mode (``Context(quick=True)``)
throughout; the mutated code runs in its module's own namespace, replacing the original
wherever a claim module holds it (restored after each mutant, dependent caches cleared).
"""
from __future__ import annotations

import __future__
import ast
import copy
import importlib.util
import inspect
import signal
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable

import mpmath
import pytest

from verification import all_claims
from verification.registry import Claim, Context, Evidence, outcome

QUICK = Context(quick=True, dps=30)
#: Mutants tried per claim before giving up, and the wall-time limits.
MAX_MUTANTS = 40
MUTANT_SECONDS = 90
CLAIM_SECONDS = 600

_NEGATE = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
             ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd}
_SWAP_CALL = {"min": "max", "max": "min", "all": "any", "any": "all"}
_LOGIC = "logic"        # comparisons, and/or, not, min/max, all/any
_ARITH = "arith"        # signs and operators
_CONST = "const"        # numeric constants


# --------------------------------------------------------------------------------------------
# reading a module: its top-level definitions, the closure of a claim, the mutation sites
# --------------------------------------------------------------------------------------------

@dataclass
class _Module:
    module: ModuleType
    tree: ast.Module
    defs: dict  # name -> ast.FunctionDef | ast.ClassDef (top level)

    @classmethod
    def of(cls, module: ModuleType) -> "_Module":
        tree = ast.parse(Path(inspect.getsourcefile(module)).read_text())
        defs = {n.name: n for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        return cls(module, tree, defs)


_MODULES: dict[str, _Module] = {}
#: Modules that are machinery, not claims: never mutated, never followed.
_MACHINERY = {"verification", "verification.registry", "verification.runner", "verification.report",
              "verification.results", "verification.stored", "verification.coverage", "verification.__main__"}

Key = tuple  # (module name, top-level definition name)


def _module(name: str) -> _Module:
    if name not in _MODULES:
        _MODULES[name] = _Module.of(sys.modules[name])
    return _MODULES[name]


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _resolve(modname: str, name: str) -> Key | None:
    """The definition ``name`` means in module ``modname``: its own top-level def, or a
    function/class it imported from another claim module."""
    mod = _module(modname)
    if name in mod.defs:
        return (modname, name)
    obj = getattr(mod.module, name, None)
    home = getattr(obj, "__module__", None)
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and home in sys.modules \
            and home.startswith("verification") and home not in _MACHINERY \
            and obj.__name__ in _module(home).defs:
        return (home, obj.__name__)
    return None


def _root_keys(fn: Callable) -> set[Key]:
    """The definitions a claim callable *is* (a def) or calls (a lambda, a partial)."""
    modname = getattr(fn, "__module__", None)
    if modname not in sys.modules or modname in _MACHINERY:
        return set()
    key = _resolve(modname, getattr(fn, "__name__", ""))
    if key is not None and getattr(sys.modules[key[0]], key[1], None) is fn:
        return {key}
    code = getattr(fn, "__code__", None)
    out: set[Key] = set()
    stack = [code] if code is not None else []
    while stack:
        co = stack.pop()
        out |= {k for k in (_resolve(modname, n) for n in co.co_names) if k is not None}
        stack += [c for c in co.co_consts if inspect.iscode(c)]
    return out


def _node(key: Key) -> ast.AST:
    return _module(key[0]).defs[key[1]]


def _closure(roots: set[Key]) -> dict[Key, int]:
    """Definitions reachable from ``roots`` by name (across claim modules), with their distance."""
    depth = {r: 0 for r in roots}
    queue = sorted(roots)
    while queue:
        key = queue.pop(0)
        for name in sorted(_names(_node(key))):
            ref = _resolve(key[0], name)
            if ref is not None and ref not in depth:
                depth[ref] = depth[key] + 1
                queue.append(ref)
    return depth


def _callee(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _is_guard(node: ast.AST) -> bool:
    """A consistency guard (``if disagree: raise``, ``assert``): mutating it only raises."""
    return (isinstance(node, ast.Assert)
            or (isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Raise)
                and not node.orelse))


def _decisions(fn: ast.AST, *, returns: bool) -> list[ast.AST]:
    """Where a definition states a verdict: ``Evidence(passed, ..., inconclusive=...)``
    arguments and assignments to ``.passed`` / ``.inconclusive``; with ``returns``, also the
    values it returns (a deciding helper's return value is its caller's verdict)."""
    out: list[ast.AST] = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and _callee(n) == "Evidence":
            out += n.args[:1] + [k.value for k in n.keywords if k.arg in ("passed", "inconclusive")]
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr in ("passed", "inconclusive")
                                               for t in n.targets):
            out.append(n.value)
        elif returns and isinstance(n, ast.Return) and n.value is not None and not (
                isinstance(n.value, ast.Call) and _callee(n.value) == "Evidence"):
            out.append(n.value)
    return out


def _targets(st: ast.AST) -> set[str]:
    if isinstance(st, ast.Assign):
        return set().union(*(_names(t) for t in st.targets))
    if isinstance(st, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
        return _names(st.target)
    if isinstance(st, ast.NamedExpr):
        return _names(st.target)
    return set()


def _source(st: ast.AST) -> ast.AST | None:
    if isinstance(st, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
        return st.value
    if isinstance(st, (ast.For, ast.comprehension)):
        return st.iter
    return None


def _slice(fn: ast.AST, *, returns: bool = True) -> list[ast.AST]:
    """A backward slice by names: the decision expressions (:func:`_decisions`), the values
    of the assignments to the names they use (transitively), and the conditions of the
    branches that hold those assignments or return a verdict."""
    regions = list(_decisions(fn, returns=returns))
    needed = set().union(*(_names(e) for e in regions)) if regions else set()
    stores = [n for n in ast.walk(fn) if _targets(n)]
    branches = [n for n in ast.walk(fn) if isinstance(n, (ast.If, ast.While)) and not _is_guard(n)]
    chosen = {id(x) for r in regions for x in ast.walk(r)}
    chosen |= {id(n) for n in ast.walk(fn) if isinstance(n, ast.Return)
               or (isinstance(n, ast.Call) and _callee(n) == "Evidence")} if returns else set()
    changed = True
    while changed:
        changed = False
        for st in stores:
            if id(st) not in chosen and _targets(st) & needed:
                chosen.add(id(st))
                src = _source(st)
                if src is not None:
                    regions.append(src)
                    needed |= _names(src)
                if isinstance(st, ast.AugAssign):
                    regions.append(st)          # the operator of `ok &= good` decides too
                changed = True
        for br in branches:
            if id(br) in chosen:
                continue
            inside = {id(x) for x in ast.walk(br)} - {id(x) for x in ast.walk(br.test)}
            if inside & chosen:
                chosen.add(id(br))
                regions.append(br.test)
                needed |= _names(br.test)
                changed = True
    return regions


def _slices(roots: set[Key], closure: dict[Key, int]) -> dict[Key, list[ast.AST]]:
    """Per definition of the closure, its slice: a root and every helper called from a slice
    region (transitively) decides through its return value too; any other definition only
    through its own ``Evidence``."""
    out: dict[Key, list[ast.AST]] = {}
    queue = sorted(roots)
    while queue:
        key = queue.pop(0)
        if key in out:
            continue
        out[key] = _slice(_node(key), returns=True)
        called = set().union(*(_names(r) for r in out[key])) if out[key] else set()
        queue += sorted(k for k in (_resolve(key[0], n) for n in called)
                        if k is not None and k in closure and k not in out)
    for key in closure:
        if key not in out:
            out[key] = _slice(_node(key), returns=False)
    return out


def _only_constants(node: ast.AST) -> bool:
    return not any(isinstance(n, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) for n in ast.walk(node))


@dataclass(frozen=True)
class Site:
    """One mutation: definition ``owner`` of ``module``, the ``index``-th node of
    ``ast.walk`` of it."""

    module: str
    owner: str
    index: int
    kind: str
    op: str
    line: int
    text: str
    end_line: int = 0


def _mutations(node: ast.AST) -> list[tuple[str, str]]:
    """(kind, op) mutations of one node, op naming the replacement."""
    if isinstance(node, ast.Compare):
        if _only_constants(node):
            return []
        return [(_LOGIC, f"cmp{i}") for i, op in enumerate(node.ops) if type(op) in _NEGATE]
    if isinstance(node, ast.BoolOp):
        return [] if _only_constants(node) else [(_LOGIC, "boolop")]
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return [] if _only_constants(node) else [(_LOGIC, "drop-not")]
        if isinstance(node.op, ast.USub) and not isinstance(node.operand, ast.Constant):
            return [(_ARITH, "drop-minus")]
        return []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SWAP_CALL:
        return [(_LOGIC, "swap-call")]
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAP_BIN:
        kind = _LOGIC if isinstance(node.op, (ast.BitAnd, ast.BitOr)) else _ARITH
        return [(kind, "binop")]
    if (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)):
        return [(_CONST, "negate-constant")]
    return []


def _excluded(fn: ast.AST) -> set[int]:
    """Nodes never mutated: guards, raises, docstrings and f-strings, decorators,
    annotations, default values, subscripts' indices (an index only picks data)."""
    out: set[int] = set()

    def drop(n):
        out.update(id(x) for x in ast.walk(n))

    for n in ast.walk(fn):
        if _is_guard(n) or isinstance(n, (ast.Raise, ast.JoinedStr)):
            drop(n)
        elif isinstance(n, (ast.Compare, ast.BoolOp)) and _only_constants(n):
            drop(n)                         # a comparison of literals is a literal
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for dec in n.decorator_list:
                drop(dec)
            if isinstance(n, ast.ClassDef):
                continue
            if n.returns is not None:
                drop(n.returns)
            for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs:
                if a.annotation is not None:
                    drop(a.annotation)
        elif isinstance(n, ast.Subscript):
            drop(n.slice)
        elif isinstance(n, ast.AnnAssign):
            drop(n.annotation)
    return out


def _roots(claim: Claim) -> set[Key]:
    roots = _root_keys(claim.check)
    if claim.corrected is not None:
        roots |= _root_keys(claim.corrected)
    return roots


def sites_for(claim: Claim) -> list[Site]:
    """Every mutation site of the code ``claim``'s check (and corrected version) runs, the
    most decisive first (see the module docstring)."""
    roots = _roots(claim)
    depth = _closure(roots)
    slices = _slices(roots, depth)
    ranked = []
    for key, dep in sorted(depth.items(), key=lambda kv: (kv[1], kv[0])):
        fn = _node(key)
        excluded = _excluded(fn)
        in_slice = {id(x) for r in slices[key] for x in ast.walk(r)}
        final = ({id(x) for r in _decisions(fn, returns=True) for x in ast.walk(r)}
                 if key in roots else set())
        for index, node in enumerate(ast.walk(fn)):
            if id(node) in excluded:
                continue
            for kind, op in _mutations(node):
                sliced = id(node) in in_slice
                if kind == _LOGIC and sliced:
                    tier = 1 if id(node) in final else 0   # a root's own final verdict line last
                elif sliced:
                    tier = 2 if kind == _ARITH else 3
                else:
                    tier = 4 if kind != _CONST else 5
                text = ast.unparse(node).split("\n")[0]
                first = getattr(node, "lineno", 0)
                last = getattr(node, "end_lineno", None) or first
                ranked.append(((tier, dep, key, first, index),
                               Site(key[0], key[1], index, kind, op, first, text[:120], last)))
    ranked.sort(key=lambda t: t[0])
    return [s for _, s in ranked]


# --------------------------------------------------------------------------------------------
# applying a mutation
# --------------------------------------------------------------------------------------------

def _mutate(node: ast.AST, op: str, parent: ast.AST) -> str:
    """Mutate ``node`` in place (or in ``parent``); return the new text."""
    if op.startswith("cmp"):
        i = int(op[3:])
        node.ops[i] = _NEGATE[type(node.ops[i])]()
    elif op == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif op in ("drop-not", "drop-minus"):
        for fname, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, fname, node.operand)
                return ast.unparse(node.operand)
            if isinstance(value, list):
                for j, v in enumerate(value):
                    if v is node:
                        value[j] = node.operand
                        return ast.unparse(node.operand)
        raise RuntimeError("mutation: parent of the operand not found")
    elif op == "swap-call":
        node.func = ast.Name(id=_SWAP_CALL[node.func.id], ctx=ast.Load())
    elif op == "binop":
        node.op = _SWAP_BIN[type(node.op)]()
    elif op == "negate-constant":
        node.value = -node.value if node.value != 0 else 1
    else:
        raise ValueError(op)
    return ast.unparse(node).split("\n")[0]


def _compile_mutant(site: Site):
    """The mutated definition, executed in its module's namespace (its globals); ``@claim``
    decorators are dropped (the mutant is not registered), other decorators kept."""
    mod = _module(site.module)
    fn = copy.deepcopy(mod.defs[site.owner])
    parents = {id(c): p for p in ast.walk(fn) for c in ast.iter_child_nodes(p)}
    node = list(ast.walk(fn))[site.index]
    new_text = _mutate(node, site.op, parents.get(id(node)))
    fn.decorator_list = [d for d in fn.decorator_list
                         if not (isinstance(d, ast.Call) and _callee(d) == "claim")]
    code = compile(ast.fix_missing_locations(ast.Module(body=[fn], type_ignores=[])),
                   inspect.getsourcefile(mod.module), "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    namespace: dict = {}
    exec(code, mod.module.__dict__, namespace)
    return namespace[site.owner], new_text


def _caches(key: Key) -> list:
    """Memoised definitions (``functools.lru_cache``) of the claim modules that can reach
    ``key``: their cached values may hold the original's (or the mutant's) results."""
    out = []
    for modname in list(_MODULES):
        for name in _MODULES[modname].defs:
            obj = getattr(_MODULES[modname].module, name, None)
            if (modname, name) != key and callable(getattr(obj, "cache_clear", None)) \
                    and key in _closure({(modname, name)}):
                out.append(obj)
    return out


def _holders(original, home: str) -> list[tuple[ModuleType, str]]:
    """Every (module, attribute) bound to ``original``: its ``home`` and the claim modules
    that imported it."""
    out = []
    for name, module in list(sys.modules.items()):
        if module is not None and (name == home or (name.startswith("verification") and name not in _MACHINERY)):
            out += [(module, attr) for attr, val in list(vars(module).items()) if val is original]
    return out


class _Timeout(Exception):
    pass


def _run(fn: Callable, seconds: float) -> Evidence | None:
    """``fn(QUICK)``, or None if it raised, returned no Evidence or ran out of time."""
    def alarm(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with mpmath.workprec(mpmath.mp.prec):
            ev = fn(QUICK)
        return ev if isinstance(ev, Evidence) else None
    except (Exception, _Timeout):
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _expected(claim: Claim) -> dict[str, str]:
    """The outcome of each part the guard runs, as recorded."""
    if claim.experimental:
        check = "not reproduced" if claim.status == "erratum" else claim.status
    else:
        check = "fails" if claim.status == "erratum" else "holds"
    out = {"check": check}
    if claim.corrected is not None:
        out["corrected"] = "holds"
    return out


def _outcome(claim: Claim, part: str, ev: Evidence | None) -> str | None:
    if ev is None:
        return None
    if part == "corrected":     # the corrected version of an erratum is mathematics: holds / fails
        return "holds" if ev.passed else "fails"
    return outcome(claim, ev)


@dataclass
class Report:
    claim: str
    killed_by: str | None = None
    tried: list = field(default_factory=list)
    seconds: float = 0.0


def _executed_lines(claim: Claim, files: set[str]) -> set[tuple[str, int]]:
    """(file, line) of the claim modules ``files`` its check (and corrected version)
    execute, traced once (only frames of those files are traced line by line)."""
    lines: set[tuple[str, int]] = set()

    def local(frame, event, arg):
        if event == "line":
            lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def calls(frame, event, arg):
        if frame.f_code.co_filename in files:
            lines.add((frame.f_code.co_filename, frame.f_lineno))
            return local
        return None

    for fn in (claim.check, claim.corrected):
        if fn is None:
            continue
        old = sys.gettrace()
        sys.settrace(calls)
        try:
            _run(fn, MUTANT_SECONDS)
        finally:
            sys.settrace(old)
    return lines


#: After this many mutants that change nothing, the rest are filtered to lines the check
#: actually executes (one traced run), so branches never taken are not mutated in vain.
TRACE_AFTER = 3


def _file(modname: str) -> str:
    return inspect.getsourcefile(_module(modname).module)


def mutation_report(claim: Claim, *, monkeypatch, max_mutants: int = MAX_MUTANTS,
                    budget: float = CLAIM_SECONDS) -> Report:
    """Try the sites of :func:`sites_for` until one changes the claim's outcome."""
    start = time.perf_counter()
    expected = _expected(claim)
    parts = [("check", claim.check, _closure(_root_keys(claim.check)))]
    if claim.corrected is not None:
        parts.append(("corrected", claim.corrected, _closure(_root_keys(claim.corrected))))
    report = Report(claim.id)
    sites, executed = sites_for(claim), None
    while sites and len(report.tried) < max_mutants and time.perf_counter() - start < budget:
        if executed is None and len(report.tried) >= TRACE_AFTER:
            executed = _executed_lines(claim, {_file(x.module) for x in sites})
            sites = [x for x in sites
                     if any((_file(x.module), n) in executed for n in range(x.line, max(x.line, x.end_line) + 1))]
            continue
        site = sites.pop(0)
        key = (site.module, site.owner)
        try:
            mutant, new_text = _compile_mutant(site)
        except Exception as exc:      # a mutation that does not compile is no mutation
            report.tried.append((site, f"did not compile: {exc}"))
            continue
        original = getattr(sys.modules[site.module], site.owner)
        results, changed = {}, {}
        caches = _caches(key)
        with monkeypatch.context() as mp:
            for module, attr in _holders(original, site.module):
                mp.setattr(module, attr, mutant)
            for c in caches:
                c.cache_clear()
            try:
                for part, fn, closure in parts:
                    if key not in closure:
                        continue
                    # a registered def is the original object: call its mutant directly
                    run = mutant if fn is original else fn
                    results[part] = _outcome(claim, part, _run(run, MUTANT_SECONDS))
                    if results[part] is not None and results[part] != expected[part]:
                        changed[part] = results[part]
                        break
            finally:
                for c in caches:
                    c.cache_clear()
        report.tried.append((site, f"{site.text!r} -> {new_text!r}: {results}"))
        if changed:
            where = site.owner if site.module == claim.check.__module__ else f"{site.module}.{site.owner}"
            report.killed_by = (f"{where} (line {site.line}): {site.text!r} -> {new_text!r} "
                                f"changes {', '.join(f'{p}: {expected[p]} -> {o}' for p, o in changed.items())}")
            break
    report.seconds = time.perf_counter() - start
    return report


# --------------------------------------------------------------------------------------------
# the guard, on every registered claim
# --------------------------------------------------------------------------------------------

CLAIMS = all_claims()


def _describe(report: Report) -> str:
    lines = [f"{report.claim}: no mutation changed the outcome ({len(report.tried)} tried, "
             f"{report.seconds:.0f} s); its check cannot fail through its own computation:"]
    lines += [f"  {s.owner}:{s.line} [{s.kind}] {msg}" for s, msg in report.tried[:15]]
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_a_mutation_of_the_check_changes_the_outcome(claim, monkeypatch):
    report = mutation_report(claim, monkeypatch=monkeypatch)
    assert report.killed_by is not None, _describe(report)


def test_every_claim_has_mutation_sites():
    """Cheap and unmarked: every claim's check runs code of its module that can be mutated."""
    bare = [c.id for c in CLAIMS if not sites_for(c)]
    assert not bare, f"claims whose checks have nothing to mutate (decided outside their module?): {bare}"


# --------------------------------------------------------------------------------------------
# the machinery on toy claims (never registered)
# --------------------------------------------------------------------------------------------

_TOY = '''
from verification.registry import Evidence


def _measure(x):
    return abs(x - 0.5)


def check(ctx):
    gap = _measure(0.4)
    return Evidence(gap < 0.2, 0.2 - gap, {})


def constant_check(ctx):
    ok = True
    return Evidence(ok, None, {"note": 1 > 0})


def literal_comparison_check(ctx):
    return Evidence(2 > 1, None, {})
'''


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy_claims_for_mutation.py"
    path.write_text(textwrap.dedent(_TOY))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(path.stem, None)
    _MODULES.pop(path.stem, None)


def _toy_claim(fn) -> Claim:
    return Claim(id=f"toy {fn.__name__}", statement="toy", method="numeric", check=fn,
                 control=lambda ctx: Evidence(False))


def test_a_check_that_computes_is_killed(toy, monkeypatch):
    report = mutation_report(_toy_claim(toy.check), monkeypatch=monkeypatch)
    assert report.killed_by is not None
    # the comparison in the verdict and the helper's arithmetic are both sites
    kinds = {(s.owner, s.kind) for s in sites_for(_toy_claim(toy.check))}
    assert ("check", "logic") in kinds and ("_measure", "arith") in kinds
    assert toy.check(QUICK).passed            # the original is restored after every mutant


@pytest.mark.parametrize("name", ["constant_check", "literal_comparison_check"])
def test_a_check_that_cannot_fail_survives(toy, monkeypatch, name):
    claim = _toy_claim(getattr(toy, name))
    assert [s for s in sites_for(claim) if s.kind != "const"] == []
    assert mutation_report(claim, monkeypatch=monkeypatch).killed_by is None


def test_the_slice_puts_the_deciding_comparison_first():
    src = textwrap.dedent('''
        def check(ctx):
            rows = {"value": 3 * 2}
            if abs(rows["value"] - 6) > 1:
                raise RuntimeError("disagree")
            good = rows["value"] >= 5
            return Evidence(good, None, rows)
    ''')
    fn = ast.parse(src).body[0]
    in_slice = {id(x) for r in _slice(fn) for x in ast.walk(r)}
    compares = [n for n in ast.walk(fn) if isinstance(n, ast.Compare)]
    guard, deciding = compares
    assert id(deciding) in in_slice and id(guard) in _excluded(fn)
