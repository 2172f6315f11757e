"""Ranges of config fields: declared beside each field with :func:`checked`, enforced by
one validator (:func:`rlvid.config.validate_config`).

Every float field must also be finite; every value must have its field's type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """Bounds for a number, or for each item of a tuple, plus a tuple's length."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    length: int | None = None  # tuples: exactly this many items
    min_length: int | None = None  # tuples: at least this many items
    multiple_of: int | None = None  # frame sizes the networks can pool
    odd: bool = False  # kernel sizes
    pattern: str | None = None  # strings: a regular expression the value must match

    def problem(self, value: Any) -> str | None:
        """Why ``value`` breaks this rule, or None."""
        if isinstance(value, tuple):
            if self.length is not None and len(value) != self.length:
                return f"must have {self.length} items, got {len(value)}"
            if self.min_length is not None and len(value) < self.min_length:
                return f"must have at least {self.min_length} item(s), got {len(value)}"
            for item in value:
                why = self.problem(item)
                if why:
                    return f"items {why}"
            return None
        if isinstance(value, str):
            if self.pattern and not re.fullmatch(self.pattern, value):
                return f"must match {self.pattern}, got {value!r}"
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be finite, got {value}"
        if ((self.gt is not None and not value > self.gt)
                or (self.ge is not None and not value >= self.ge)
                or (self.lt is not None and not value < self.lt)
                or (self.le is not None and not value <= self.le)):
            return f"must be {self.describe()}, got {value}"
        if self.multiple_of and value % self.multiple_of:
            return f"must be a multiple of {self.multiple_of}, got {value}"
        if self.odd and value % 2 == 0:
            return f"must be odd, got {value}"
        return None

    def describe(self) -> str:
        parts = [f"{word} {_num(b)}" for b, word in ((self.gt, ">"), (self.ge, ">="),
                                                     (self.lt, "<"), (self.le, "<="))
                 if b is not None]
        return " and ".join(parts)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


FINITE = Rule()  # any finite float (the default for float fields)
POSITIVE = Rule(gt=0)  # learning rates, temperatures, clip ranges
NON_NEGATIVE = Rule(ge=0)  # weights, coefficients, "0 = default" counts
COUNT = Rule(ge=1)  # iterations, batch sizes, intervals, widths
PROBABILITY = Rule(ge=0, le=1)


def checked(default: Any, rule: Rule) -> Any:
    """A dataclass field with ``default`` and its range ``rule`` (kept in the metadata)."""
    return field(default=default, metadata={"rule": rule})


def rule_of(f: Any) -> Rule:
    """A field's declared rule; plain float fields must at least be finite."""
    return f.metadata.get("rule", FINITE)
