r"""The catalogue of potentials: one entry per potential, every other layer reads it.

Each :class:`Entry` names a constructor of the exact layer (a
:class:`harmonic.exact.RadialPotential` on :math:`\mathbb R^d` or a
:class:`harmonic.exact.SpherePotential` on :math:`S^{d-1}`), its parameters and where the
paper uses it. The transforms and realizability checks (precise layer), the loss and the
descent algorithms (fast layer: :func:`harmonic.fast.potentials.fast_potential`), the
recovery study, the command line (``harmonic descend --potential NAME``) and the catalogue
table (``harmonic tables``) all take their potentials from here, so adding a potential is
one entry in this file plus its tests (docs/design-notes.md walks through the Cauchy
potential).

Examples
--------
>>> sorted(CATALOGUE)[:4]
['ball', 'cauchy', 'erf', 'exp']
>>> potential("gaussian", c=2).expr
exp(-r**2)
>>> potential("phi_eps", d=3, eps=0.5).structure.pieces[0].hi
1/2
>>> potential("sign").expr
2*asin(rho)/pi
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple

import sympy as sp

from ._validate import positive, positive_dimension
from .almost import almost_lam_harmonic
from .lam_harmonic import lam_harmonic_potential
from .lens import lens_potential
from .radial import R, RadialPotential
from .sphere import RHO, SpherePotential

__all__ = ["Entry", "CATALOGUE", "potential", "entries", "ClosedDual", "DUALS"]


@dataclass(frozen=True)
class Entry:
    """One potential of the catalogue.

    ``build(**params)`` makes it; ``params`` maps each parameter name to its default
    (``None``: required); ``geometry`` is ``'radial'`` (R^d) or ``'sphere'`` (S^{d-1});
    ``reference`` is where the paper uses it; ``example`` the parameters the catalogue table
    and the docs show it with.
    """

    name: str
    geometry: str
    build: Callable[..., RadialPotential | SpherePotential]
    params: Mapping[str, object]
    summary: str
    reference: str
    example: Mapping[str, object]

    def __call__(self, **params) -> RadialPotential | SpherePotential:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"the {self.name} potential ({self.reference}) takes the parameters "
                             f"{', '.join(self.params) or 'none'}; got {', '.join(unknown)}")
        missing = [p for p, default in self.params.items() if default is None and params.get(p) is None]
        if missing:
            raise ValueError(f"the {self.name} potential ({self.reference}) needs {', '.join(missing)}")
        given = {p: (default if params.get(p) is None else params[p]) for p, default in self.params.items()}
        return self.build(**given)


def _gaussian(c) -> RadialPotential:
    c = positive(c, "c", "the Gaussian potential (Theorem F.4)")
    return RadialPotential(sp.exp(-c * R**2 / 2), r=R, params=tuple(c.free_symbols), name=f"gaussian (c={c})")


def _exponential() -> RadialPotential:
    return RadialPotential(sp.exp(-R), name="exponential e^{-r}")


def _harmonic(d) -> RadialPotential:
    d = positive_dimension(d, "the harmonic potential (Section 3)")
    return RadialPotential(-sp.log(R) if d == 2 else R**(2 - d), name=f"harmonic (d={d})", dimension=d)


def _ball(radius) -> RadialPotential:
    radius = positive(radius, "radius", "the ball indicator")
    return RadialPotential(sp.Piecewise((1, R <= radius), (0, True)), r=R, params=tuple(radius.free_symbols),
                           name=f"ball indicator (radius {radius})")


def _cauchy(d) -> RadialPotential:
    d = positive_dimension(d, "the Cauchy potential")
    return RadialPotential((1 + R**2)**(-sp.Rational(d + 1, 2)), name=f"Cauchy (d={d})", dimension=d)


class ClosedDual(NamedTuple):
    """One closed-form dual (Lemma B.1): ``expr`` in :data:`RHO` and the ``parameters`` (sympy
    symbols, in call order) it also depends on; ``source`` where it comes from."""

    expr: sp.Expr
    parameters: tuple
    source: str


_A = sp.Symbol("a", real=True)                          # the scale of erf(a x) and exp(a x)
_N = sp.Symbol("n", integer=True, nonnegative=True)     # the degree of h_n

#: name -> :class:`ClosedDual`: the duals of activations known in closed form, each written
#: once (the sphere entries of the catalogue and :mod:`harmonic.precise.duals` read them).
#: The sign dual is written (2/pi) arcsin(rho), equal to the paper's 1 - 2 arccos(rho)/pi
#: (Appendix G) and accurate to relative precision near rho = 0.
DUALS: Mapping[str, ClosedDual] = MappingProxyType({
    "sign": ClosedDual(2 * sp.asin(RHO) / sp.pi, (),
                       "Sheppard (1899); Cho & Saul (2009), degree-0 arc-cosine kernel"),
    "relu": ClosedDual((sp.sqrt(1 - RHO**2) + (sp.pi - sp.acos(RHO)) * RHO) / (2 * sp.pi), (),
                       "Cho & Saul (2009), degree-1 arc-cosine kernel"),
    "erf": ClosedDual(2 / sp.pi * sp.asin(2 * _A**2 * RHO / (1 + 2 * _A**2)), (_A,),
                      "Williams (1997), the erf kernel"),
    "exp": ClosedDual(sp.exp(_A**2 * (1 + RHO)), (_A,), "Gaussian moment generating function"),
    "hermite": ClosedDual(RHO**_N, (_N,), "Mehler's formula (orthonormality of h_n = He_n/sqrt(n!))"),
})

_X = SpherePotential.X


def _dual(name: str, activation, *, breakpoints=(), domain=(-1, 1), label: str = "", **values) -> SpherePotential:
    form = DUALS[name]
    expr = form.expr.xreplace({p: values[p.name] for p in form.parameters})
    params = tuple(set().union(*(sp.sympify(v).free_symbols for v in values.values())))
    return SpherePotential(expr, name=label or f"{name} dual", domain=domain, activation=activation,
                           breakpoints=breakpoints, source=form.source, params=params)


def _polynomial(l) -> SpherePotential:
    if isinstance(l, bool) or not isinstance(l, (int, sp.Integer)) or l < 0:
        raise ValueError(f"the polynomial potential (Theorem G.3) needs an integer l >= 0; got l={l!r}")
    l = int(l)
    return _dual("hermite", sp.hermite_prob(l, _X) / sp.sqrt(sp.factorial(l)), domain=None,
                 label=f"polynomial (theta^T w)^{l}", n=l)


def _sign() -> SpherePotential:
    return _dual("sign", sp.sign(_X), breakpoints=(0,), label="sign dual (2/pi) arcsin(rho)")


def _relu() -> SpherePotential:
    return _dual("relu", sp.Max(_X, 0), breakpoints=(0,), label="ReLU dual")


def _erf(a) -> SpherePotential:
    a = positive(a, "a", "the erf dual (Lemma B.1)")
    return _dual("erf", sp.erf(a * _X), label=f"erf dual (a={a})", a=a)


def _exp(a) -> SpherePotential:
    a = positive(a, "a", "the exponential dual (Lemma B.1)")
    return _dual("exp", sp.exp(a * _X), label=f"exp dual (a={a})", a=a)


_ENTRIES = (
    Entry("gaussian", "radial", _gaussian, {"c": 1}, "e^{-c r^2/2}", "Section B.1, Theorem F.4", {"c": 1}),
    Entry("exponential", "radial", _exponential, {}, "e^{-r}", "Section B.1 (K_0 identity)", {}),
    Entry("harmonic", "radial", _harmonic, {"d": None}, "r^{2-d} (-ln r for d = 2)", "Section 3", {"d": 3}),
    Entry("lam_harmonic", "radial", lam_harmonic_potential, {"d": None, "lam": 1},
          "p(r) e^{-sqrt(lambda) r} r^{2-d}", "Lemma B.9", {"d": 3}),
    Entry("phi_eps", "radial", almost_lam_harmonic, {"d": None, "eps": None, "lam": 1},
          "almost lambda-harmonic Phi_eps", "Lemma 4.2", {"d": 3, "eps": sp.Rational(1, 10)}),
    Entry("lens", "radial", lens_potential, {"d": None, "t": 1}, "volume of two balls' intersection",
          "Lemma B.7", {"d": 3}),
    Entry("ball", "radial", _ball, {"radius": 1}, "indicator of |x| <= radius",
          "Theorem 2.1 (not realizable)", {}),
    Entry("cauchy", "radial", _cauchy, {"d": None}, "(1 + r^2)^{-(d+1)/2}",
          "beyond the paper: the Poisson kernel's transform e^{-rho}", {"d": 3}),
    Entry("sign", "sphere", _sign, {}, "(2/pi) arcsin(rho) = 1 - 2 arccos(rho)/pi", "Lemma G.2, Table 1", {}),
    Entry("relu", "sphere", _relu, {}, "degree-1 arc-cosine kernel", "Lemma B.1, Table 1", {}),
    Entry("erf", "sphere", _erf, {"a": 1}, "2/pi arcsin(2a^2 rho/(1 + 2a^2))", "Lemma B.1, Table 1", {}),
    Entry("exp", "sphere", _exp, {"a": 1}, "e^{a^2 (1 + rho)}", "Lemma B.1, Table 1", {}),
    Entry("polynomial", "sphere", _polynomial, {"l": None}, "(theta^T w)^l", "Theorem G.3, Table 1", {"l": 3}),
)

#: name -> :class:`Entry`, every potential the toolkit knows.
CATALOGUE: Mapping[str, Entry] = MappingProxyType({e.name: e for e in _ENTRIES})


def entries(geometry: str | None = None) -> list[Entry]:
    """The catalogue's entries (of one geometry, ``'radial'`` or ``'sphere'``, if given)."""
    return [e for e in _ENTRIES if geometry is None or e.geometry == geometry]


def potential(name: str, **params) -> RadialPotential | SpherePotential:
    """The potential ``name`` of the catalogue with ``params`` (defaults filled in).

    Raises ValueError for an unknown name (listing the known ones), an unknown or missing
    parameter, or a parameter that violates the hypothesis of the lemma that defines it.
    """
    if name not in CATALOGUE:
        raise ValueError(f"unknown potential {name!r}; the catalogue has {', '.join(CATALOGUE)}")
    return CATALOGUE[name](**params)
