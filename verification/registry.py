"""The claim registry: every checkable statement of the paper, declared once.

A :class:`Claim` carries the paper's own id ("Lemma B.9", with a sub-id in parentheses where
a lemma has several parts), a one-line statement, the kind of truth its check establishes
(``exact`` | ``certified`` | ``numeric`` | ``statistical``), the *established verdict* and
three callables, each taking a :class:`Context` and returning :class:`Evidence`.

Two vocabularies of verdicts, never mixed:

- a **mathematical** statement (a formula, a bound, a lemma) ``holds`` or is an ``erratum``,
  whatever the method that decides it (a Monte Carlo check of an identity is still a check
  of mathematics);
- an **experimental** statement (the paper's experiments, Table 2, and the behaviour of its
  algorithms on random instances, Theorems 4.1/4.6 run empirically) is ``reproduced``,
  ``not reproduced`` or ``inconclusive`` *under a named protocol* (``Claim.protocol``:
  optimiser, steps, step size, loss normalisation, sample sizes, seeds), and its evidence
  reports the seed spread (``details["spread"]``). Such a claim is an ``erratum`` only when
  the protocol is the paper's own (``protocol["paper_protocol"] is True``) and the result
  disagrees beyond the spread. A check says ``inconclusive`` with ``Evidence.inconclusive``.

The callables:

``check``
    evaluates the statement *as printed in the paper*;
``control``
    evaluates a deliberately broken variant (wrong sign, wrong degree, perturbed
    coefficient, ...) with the same check; it must be rejected (``passed=False``);
``corrected``
    for errata only: evaluates the corrected statement, which must pass.

The registry is strict, like ``xfail_strict``: a run fails when a ``holds`` claim stops
holding, when a recorded erratum stops reproducing (its printed version passes), when a
corrected version fails, or when a control is accepted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = [
    "METHODS",
    "STATUSES",
    "MATHEMATICAL",
    "EXPERIMENTAL",
    "outcome",
    "Context",
    "Evidence",
    "Erratum",
    "Claim",
    "register",
    "claim",
    "registered",
]

METHODS = ("exact", "certified", "numeric", "statistical")
#: Verdicts of mathematical statements.
MATHEMATICAL = ("holds", "erratum")
#: Verdicts of experimental statements, always under a named protocol.
EXPERIMENTAL = ("reproduced", "not reproduced", "inconclusive")
STATUSES = MATHEMATICAL + EXPERIMENTAL


@dataclass(frozen=True)
class Context:
    """Run-wide options handed to every check.

    ``quick`` asks for the reduced parameter sweep (each claim says what it drops);
    ``dps`` is the working precision, in decimal digits, of numeric checks;
    ``with_training`` lets experimental claims re-train what they otherwise read from stored
    runs (minutes of CPU; the default run never trains for minutes).
    """

    quick: bool = False
    dps: int = 30
    with_training: bool = False


@dataclass
class Evidence:
    """What a check computed.

    ``passed`` is the check's verdict on the subject it was given. ``margin`` says how far
    the subject is from the other verdict, in the unit the check names in ``details``
    (e.g. the smallest exact coefficient, or the ratio of an observed error to the
    tolerance); ``None`` where no single number says it. ``details`` holds the numbers
    behind the verdict and must be JSON-serialisable (str, int, float, bool, None, lists,
    dicts). ``inconclusive`` (experimental claims only) says the data do not decide either way
    (too few seeds, a protocol not run to the end); ``passed`` is then ignored.
    """

    passed: bool
    margin: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    inconclusive: bool = False


@dataclass(frozen=True)
class Erratum:
    """A printed statement that fails: what was printed, what is true, where it fails."""

    printed: str
    corrected: str | None
    where: str
    #: LaTeX forms (text mode with inline ``$...$`` maths) of printed and corrected, for the tables
    printed_tex: str | None = None
    corrected_tex: str | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    method: str
    check: Callable[[Context], Evidence]
    control: Callable[[Context], Evidence]
    status: str = "holds"
    erratum: Erratum | None = None
    corrected: Callable[[Context], Evidence] | None = None
    section: str = ""
    protocol: dict[str, Any] | None = None
    #: the statement in LaTeX (text mode with inline ``$...$`` maths), for the LaTeX tables;
    #: the plain ``statement`` is what terminals, report.md and JSON show
    statement_tex: str | None = None

    @property
    def experimental(self) -> bool:
        """An experimental claim: it has a protocol, and its verdicts are reproduced / not
        reproduced / inconclusive (or an erratum under the paper's own protocol)."""
        return self.protocol is not None

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"claim {self.id!r}: method must be one of {METHODS}, got {self.method!r}")
        if self.status not in STATUSES:
            raise ValueError(f"claim {self.id!r}: status must be one of {STATUSES}, got {self.status!r}")
        if self.experimental:
            if not isinstance(self.protocol, dict) or not self.protocol.get("name"):
                raise ValueError(f"claim {self.id!r}: an experimental claim names its protocol "
                                 f"(protocol={{'name': ..., ...}})")
            if self.status == "holds":
                raise ValueError(f"claim {self.id!r}: an experimental claim is 'reproduced', 'not reproduced' "
                                 f"or 'inconclusive', not 'holds'")
            if self.status == "erratum" and self.protocol.get("paper_protocol") is not True:
                raise ValueError(f"claim {self.id!r}: an experiment is an erratum only under the paper's own "
                                 f"protocol (protocol['paper_protocol'] = True); otherwise 'not reproduced'")
        elif self.status in EXPERIMENTAL:
            raise ValueError(f"claim {self.id!r}: status {self.status!r} needs a protocol (an experimental claim); "
                             f"a mathematical statement holds or is an erratum")
        if (self.status == "erratum") != (self.erratum is not None):
            raise ValueError(f"claim {self.id!r}: an erratum record is required exactly when status is 'erratum'")
        if self.corrected is not None and self.status != "erratum":
            raise ValueError(f"claim {self.id!r}: only an erratum has a corrected version")


_REGISTRY: dict[str, Claim] = {}


def register(c: Claim) -> Claim:
    """Add a claim; ids are unique."""
    if c.id in _REGISTRY:
        raise ValueError(f"claim id {c.id!r} registered twice")
    _REGISTRY[c.id] = c
    return c


def forget_module(module: str) -> None:
    """Unregister the claims whose check is defined in ``module`` (a claim module run as
    ``__main__`` hands its claims over to the module imported under its real name)."""
    for cid in [c.id for c in _REGISTRY.values() if getattr(c.check, "__module__", None) == module]:
        del _REGISTRY[cid]


def claim(id: str, statement: str, method: str, *, control: Callable[[Context], Evidence],
          status: str = "holds", erratum: Erratum | None = None,
          corrected: Callable[[Context], Evidence] | None = None, section: str = "",
          protocol: dict[str, Any] | None = None, statement_tex: str | None = None):
    """Decorator form of :func:`register`: the decorated function is the check."""

    def deco(check: Callable[[Context], Evidence]) -> Callable[[Context], Evidence]:
        register(Claim(id=id, statement=statement, method=method, check=check, control=control,
                       status=status, erratum=erratum, corrected=corrected, section=section,
                       protocol=protocol, statement_tex=statement_tex))
        return check

    return deco


def outcome(c: Claim, ev: Evidence | None) -> str | None:
    """What a check's evidence says in the claim's vocabulary: ``"holds"``/``"fails"`` for a
    mathematical claim; ``"reproduced"``/``"not reproduced"``/``"inconclusive"`` for an
    experimental one; None when the check raised."""
    if ev is None:
        return None
    if not c.experimental:
        return "holds" if ev.passed else "fails"
    if ev.inconclusive:
        return "inconclusive"
    return "reproduced" if ev.passed else "not reproduced"


def registered() -> list[Claim]:
    """The claims registered so far, in registration order."""
    return list(_REGISTRY.values())
