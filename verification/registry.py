"""The claim registry: every checkable statement of the paper, declared once.

A :class:`Claim` carries the paper's own id ("Lemma B.9", with a sub-id in parentheses where
a lemma has several parts), a one-line statement, the kind of truth its check establishes
(``exact`` | ``certified`` | ``numeric`` | ``statistical``), the *established verdict*
(``holds`` or ``erratum``) and three callables, each taking a :class:`Context` and returning
:class:`Evidence`:

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
    "Context",
    "Evidence",
    "Erratum",
    "Claim",
    "register",
    "claim",
    "registered",
]

METHODS = ("exact", "certified", "numeric", "statistical")
STATUSES = ("holds", "erratum")


@dataclass(frozen=True)
class Context:
    """Run-wide options handed to every check.

    ``quick`` asks for the reduced parameter sweep (each claim says what it drops);
    ``dps`` is the working precision, in decimal digits, of numeric checks.
    """

    quick: bool = False
    dps: int = 30


@dataclass
class Evidence:
    """What a check computed.

    ``passed`` is the check's verdict on the subject it was given. ``margin`` says how far
    the subject is from the other verdict, in the unit the check names in ``details``
    (e.g. the smallest exact coefficient, or the ratio of an observed error to the
    tolerance); ``None`` where no single number says it. ``details`` holds the numbers
    behind the verdict and must be JSON-serialisable (str, int, float, bool, None, lists,
    dicts).
    """

    passed: bool
    margin: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Erratum:
    """A printed statement that fails: what was printed, what is true, where it fails."""

    printed: str
    corrected: str | None
    where: str


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

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"claim {self.id!r}: method must be one of {METHODS}, got {self.method!r}")
        if self.status not in STATUSES:
            raise ValueError(f"claim {self.id!r}: status must be one of {STATUSES}, got {self.status!r}")
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


def claim(id: str, statement: str, method: str, *, control: Callable[[Context], Evidence],
          status: str = "holds", erratum: Erratum | None = None,
          corrected: Callable[[Context], Evidence] | None = None, section: str = ""):
    """Decorator form of :func:`register`: the decorated function is the check."""

    def deco(check: Callable[[Context], Evidence]) -> Callable[[Context], Evidence]:
        register(Claim(id=id, statement=statement, method=method, check=check, control=control,
                       status=status, erratum=erratum, corrected=corrected, section=section))
        return check

    return deco


def registered() -> list[Claim]:
    """The claims registered so far, in registration order."""
    return list(_REGISTRY.values())
