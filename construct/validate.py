"""Argument validation shared by the library's value objects and the command line.

Every check here either returns the value (an ``int``, ``float`` or `Fraction`) or raises with a message
that names the argument, the violated hypothesis and, where there is one, the paper's reference::

    >>> integer("GridSpec: steps", 1, minimum=2, hypothesis="Lemma C.1 needs 0 < δ = 1/steps < 1")
    Traceback (most recent call last):
    ValueError: GridSpec: steps must be ≥ 2 (Lemma C.1 needs 0 < δ = 1/steps < 1), got 1

The message grammar (``why`` is `` (REF: HYPOTHESIS)``, `` (HYPOTHESIS)`` or `` (REF)``, empty if neither):

* wrong type — ``NAME must be an integer, got 2.5 (float)`` (`InvalidType`); a ``bool`` is never a number here;
* a bound — ``NAME must be ≥ 2WHY, got 1``, ``NAME must be > 0WHY, got 0``, ``NAME must lie in [0, 1]WHY, got 1.5``
  (`ValueError`); a non-finite real: ``NAME must be finiteWHY, got nan``;
* with ``what=`` (one sentence for every failure): ``NAME must be WHATWHY, got 0``.

The ``parse_*`` functions read the command line's text (``--tokens 3``, ``--eps 1e-3``, ``--ramp 1/64``) and
check it the same way; their messages show the text as typed. ``construct`` never imports ``verify``, so this
module lives here and ``verify`` (its CLI, `varproof.verify.registry.Params`, `varproof.verify.strategies`) imports it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

import numpy as np

__all__ = [
    "FLOAT64_EXACT_MAXIMUM",
    "InvalidType",
    "float64_exact",
    "finite_positive",
    "integer",
    "is_integer",
    "parse_integer",
    "parse_rational",
    "parse_real",
    "rational",
    "real",
    "short",
]

#: the largest integer every smaller one of which float64 represents exactly: 2^53
FLOAT64_EXACT_MAXIMUM = 2**53


class InvalidType(TypeError, ValueError):
    """A value of the wrong type (a float, a bool or a string where an integer is required).

    A `TypeError`, and a `ValueError` too, so that a caller catching a bad value catches a bad type as well.
    """


def is_integer(value) -> bool:
    """``value`` is a Python or numpy integer and not a ``bool``."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def short(value: int) -> str:
    """An integer for a message: in full when short, else its digit count."""
    text = str(value) if abs(value) < 10**40 else None
    return text if text is not None else f"an integer of {len(str(abs(value)))} digits"


def _why(hypothesis: str, ref: str) -> str:
    if ref and hypothesis:
        return f" ({ref}: {hypothesis})"
    return f" ({ref or hypothesis})" if ref or hypothesis else ""


def _repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _shown(value) -> str:
    """A value in a bound's message: integers by `short`, floats as short as exact (``100``, ``0.1``)."""
    if is_integer(value):
        return short(int(value))
    if isinstance(value, float) and math.isfinite(value):
        text = f"{value:g}"
        return text if float(text) == value else repr(value)
    return _repr(value)


def _bounds(
    name: str, value, minimum, maximum, strict_minimum: bool, strict_maximum: bool, why: str, shown: str | None
) -> None:
    low = minimum is not None and (value <= minimum if strict_minimum else value < minimum)
    high = maximum is not None and (value >= maximum if strict_maximum else value > maximum)
    if not (low or high):
        return
    got = _shown(value) if shown is None else shown
    if minimum is not None and maximum is not None:
        interval = (
            f"{'(' if strict_minimum else '['}{_shown(minimum)}, {_shown(maximum)}{')' if strict_maximum else ']'}"
        )
        raise ValueError(f"{name} must lie in {interval}{why}, got {got}")
    if low:
        raise ValueError(f"{name} must be {'>' if strict_minimum else '≥'} {_shown(minimum)}{why}, got {got}")
    raise ValueError(f"{name} must be {'<' if strict_maximum else '≤'} {_shown(maximum)}{why}, got {got}")


def integer(
    name: str,
    value,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    hypothesis: str = "",
    ref: str = "",
    what: str | None = None,
) -> int:
    """``value`` as an ``int`` if it is an integer (Python or numpy, not ``bool``) in ``[minimum, maximum]``.

    Raises `InvalidType` for a non-integer (``2.5``, ``2.0``, ``True``, ``"3"``) and `ValueError` for an integer
    out of bounds, naming ``hypothesis`` and ``ref``; with ``what`` (``"a positive integer side length"``) both
    say ``NAME must be WHAT…``.
    """
    why = _why(hypothesis, ref)
    if not is_integer(value):
        if what is not None:
            raise InvalidType(f"{name} must be {what}{why}, got {_repr(value)}")
        raise InvalidType(f"{name} must be an integer, got {_repr(value)} ({type(value).__name__})")
    value = int(value)
    if what is not None:
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ValueError(f"{name} must be {what}{why}, got {short(value)}")
        return value
    _bounds(name, value, minimum, maximum, False, False, why, None)
    return value


def real(
    name: str,
    value,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    strict_maximum: bool = False,
    infinite: bool = False,
    hypothesis: str = "",
    ref: str = "",
    shown: str | None = None,
) -> float:
    """``value`` as a ``float`` if it is a real number (not ``bool``), finite (unless ``infinite``), within the bounds.

    ``strict_minimum``/``strict_maximum`` make a bound exclusive. ``shown`` is how the message writes the value
    (default: as short as exact). Raises `InvalidType` for a non-number and `ValueError` otherwise.
    """
    why = _why(hypothesis, ref)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidType(f"{name} must be a real number, got {_repr(value)} ({type(value).__name__})")
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not infinite):
        condition = "finite" if not infinite else "a number (not NaN)"
        raise ValueError(f"{name} must be {condition}{why}, got {_repr(number) if shown is None else shown}")
    _bounds(name, number, minimum, maximum, strict_minimum, strict_maximum, why, shown)
    return number


def finite_positive(name: str, value, *, hypothesis: str = "", ref: str = "") -> float:
    """`real` with ``0 < value < ∞``."""
    return real(name, value, minimum=0, strict_minimum=True, hypothesis=hypothesis, ref=ref)


def float64_exact(name: str, value: int) -> int:
    """Refuse an integer beyond ``2^53``: the float64 arithmetic of the cost model and the claims is exact below it
    (a larger one fails deep inside with an unhelpful ``OverflowError``)."""
    if value > FLOAT64_EXACT_MAXIMUM:
        raise ValueError(
            f"{name} must be ≤ 2^53 = {FLOAT64_EXACT_MAXIMUM} (integers beyond it are not exact in "
            f"float64), got {short(value)}"
        )
    return value


def rational(name: str, value) -> Fraction:
    """``value`` (a `Fraction`, an ``int``, a finite ``float`` or a string like ``'1/64'``) as an exact `Fraction`."""
    if isinstance(value, bool):
        raise InvalidType(f"{name} must be a rational number, got bool")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError) as err:
            raise ValueError(f"{name} must be a rational number like '1/64', got {value!r}") from err
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return Fraction(value)
    raise InvalidType(f"{name} must be a rational number, got {type(value).__name__}")


# -- the command line's text ---------------------------------------------------------------------------------------
def parse_integer(
    name: str,
    text: str,
    *,
    minimum: int | None = None,
    exact_in_float64: bool = False,
    hypothesis: str = "",
    ref: str = "",
) -> int:
    """An integer flag's text (``int`` syntax: ``3``, ``-1``, ``1_000``), at least ``minimum``; with
    ``exact_in_float64`` at most ``2^53`` (`float64_exact`)."""
    try:
        value = int(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "…"
        raise ValueError(f"{name} must be an integer, got {shown!r}") from None
    integer(name, value, minimum=minimum, hypothesis=hypothesis, ref=ref)
    return float64_exact(name, value) if exact_in_float64 else value


def parse_real(
    name: str,
    text: str,
    *,
    minimum: float | None = None,
    strict_minimum: bool = False,
    hypothesis: str = "",
    ref: str = "",
) -> float:
    """A real flag's text (``float`` syntax), finite and within the bound; messages show the text as typed."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    return real(
        name, value, minimum=minimum, strict_minimum=strict_minimum, hypothesis=hypothesis, ref=ref, shown=repr(text)
    )


def parse_rational(name: str, text: str) -> Fraction:
    """A rational flag's text (``1/64``, ``0.015625``, ``3``) as an exact `Fraction`."""
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a rational number like 1/64, got {text!r}") from None
