"""The outcome of a verification run, claim by claim: :class:`ClaimResult` and the JSON form
of its evidence (:func:`json_safe`).

The runner (:mod:`verification.runner`) makes the results; the reports
(:mod:`verification.report`) read them. Neither imports the other for these types.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

__all__ = ["ClaimResult", "json_safe"]


@dataclass
class ClaimResult:
    """The outcome of one claim, judged against its recorded ``status``.

    ``passed`` says the check agrees with the verdict: for ``holds`` the check passed; for
    ``erratum`` the printed check failed and the corrected version (if any) passed; for an
    experimental claim, the check's ``outcome`` (reproduced / not reproduced / inconclusive)
    is the recorded one (an experimental erratum: not reproduced under the paper's protocol).
    ``protocol`` is the experimental claim's protocol (None for mathematical claims).
    ``control_rejected`` says the control's check returned ``passed=False`` (a control that
    raises is *not* rejected). ``margin`` is the check's margin; ``seconds`` the wall time of
    check, control and corrected together. The ``*evidence`` dicts hold ``passed``,
    ``margin`` and ``details`` of each part, plus ``error`` for a part that raised.
    """

    id: str
    statement: str
    method: str
    status: str
    passed: bool
    control_rejected: bool
    corrected_passed: bool | None
    margin: float | None
    seconds: float
    evidence: dict[str, Any]
    control_evidence: dict[str, Any]
    corrected_evidence: dict[str, Any] | None
    erratum: dict[str, Any] | None
    error: str | None = None
    outcome: str | None = None
    protocol: dict[str, Any] | None = None
    statement_tex: str | None = None

    @property
    def ok(self) -> bool:
        """The check agrees with the recorded verdict and the control was rejected."""
        return self.passed and self.control_rejected

    @property
    def verdict(self) -> str:
        """``"ok"`` or ``"FAIL"``, as printed in tables and progress lines."""
        return "ok" if self.ok else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe data; ``erratum`` appears only for errata."""
        d: dict[str, Any] = {
            "id": self.id, "statement": self.statement, "method": self.method,
            "status": self.status, "outcome": self.outcome, "ok": self.ok, "passed": self.passed,
            "control_rejected": self.control_rejected, "corrected_passed": self.corrected_passed,
            "margin": self.margin, "seconds": self.seconds,
        }
        if self.erratum is not None:
            d["erratum"] = self.erratum
        if self.protocol is not None:
            d["protocol"] = self.protocol
        if self.statement_tex is not None:
            d["statement_tex"] = self.statement_tex
        d |= {"evidence": self.evidence, "control_evidence": self.control_evidence,
              "corrected_evidence": self.corrected_evidence, "error": self.error}
        return json_safe(d)



def json_safe(obj: Any) -> Any:
    """Recursively convert ``obj`` to data ``json.dumps(..., allow_nan=False)`` accepts.

    Non-finite floats become the strings ``"inf"``, ``"-inf"``, ``"nan"``; numpy values become
    Python scalars or lists; exact non-integer rationals (sympy, fractions) become strings
    such as ``"1/3"`` so no digit is lost; anything else unknown becomes ``str(obj)``.

    >>> json_safe({"m": float("inf"), "xs": (1, float("nan"))})
    {'m': 'inf', 'xs': [1, 'nan']}
    """
    if obj is None or isinstance(obj, (bool, str, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return json_safe(obj.tolist())
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Rational):
        return str(obj)
    if isinstance(obj, numbers.Real):
        return json_safe(float(obj))
    if type(obj).__module__.startswith("flint") and hasattr(obj, "rad"):   # an Arb ball: all its digits
        return obj.str(20, radius=True)
    return str(obj)
