"""What both papers' method registries share (:mod:`rlvid.v2v.methods`,
:mod:`rlvid.rovr.methods`): looking a record up by name, and the names an experiment runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from rlvid.errors import RlvidError


class Record(Protocol):
    name: str
    experiments: tuple[str, ...]


R = TypeVar("R", bound=Record)
T = TypeVar("T")


def lookup(records: Mapping[str, T], name: str, what: str = "method") -> T:
    """The record of ``name``; an unknown name is one :class:`RlvidError` line."""
    if name not in records:
        raise RlvidError(f"{what} {name!r} is unknown; choose one of {', '.join(records)}")
    return records[name]


def names_in(records: Mapping[str, R], experiments: Mapping[str, object], experiment: str
             ) -> tuple[str, ...]:
    """The names of the records that ``experiment`` (a key of ``experiments``) runs, in the
    registry's order."""
    lookup(experiments, experiment, "experiment")
    return tuple(r.name for r in records.values() if experiment in r.experiments)
