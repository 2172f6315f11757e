"""Profiles: one place for every size, length, iteration count and seed.

A profile is a typed :class:`Config`. ``load_config("cpu", {"v2v.iterations": 50})``
returns the ``cpu`` profile with one field overridden. The default profile is
``$RLVID_PROFILE`` or ``cpu``. Bad names, types and values raise :class:`ConfigError`,
whose message is one line naming the parameter. Each field's range sits beside it
(:func:`rlvid.config.checks.checked`); :func:`validate_config` enforces them all.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

import yaml

from rlvid.config.checks import NON_NEGATIVE, Rule, checked, rule_of
from rlvid.config.data import PROFILES as DATA_PROFILES
from rlvid.config.data import DataConfig
from rlvid.config.rovr import PROFILES as ROVR_PROFILES
from rlvid.config.rovr import ROVRConfig
from rlvid.config.v2v import PROFILES as V2V_PROFILES
from rlvid.config.v2v import V2VConfig
from rlvid.errors import RlvidError

PROFILE_NAMES = ("smoke", "cpu", "paper")
DEFAULT_PROFILE = "cpu"
ENV_VAR = "RLVID_PROFILE"


class ConfigError(RlvidError, ValueError):
    """A bad profile name, override name or override value (message: one line)."""


@dataclass(frozen=True)
class Config:
    """Everything a notebook, trainer or benchmark needs to know about scale."""

    profile: str = checked(DEFAULT_PROFILE, Rule(pattern="|".join(PROFILE_NAMES)))
    # seeds for every multi-seed table
    seeds: tuple[int, ...] = checked((0, 1, 2), Rule(ge=0, min_length=1))
    # "auto" picks cuda when available, else cpu
    device: str = checked("auto", Rule(pattern=r"auto|cpu|mps|cuda(:\d+)?"))
    # torch CPU threads; 0 leaves torch's default. One thread makes CPU numbers identical on
    # any machine and lets two notebooks share a 2-core machine without slowing each other.
    torch_threads: int = checked(0, NON_NEGATIVE)
    data: DataConfig = field(default_factory=DataConfig)
    v2v: V2VConfig = field(default_factory=V2VConfig)
    rovr: ROVRConfig = field(default_factory=ROVRConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_TOP = {
    "smoke": dict(seeds=(0,), torch_threads=1),
    "cpu": dict(seeds=(0, 1, 2, 3, 4), torch_threads=1),  # >= 5 paired seeds per claim
    "paper": dict(seeds=(0, 1, 2), torch_threads=0),
}


def default_profile() -> str:
    """``$RLVID_PROFILE`` if set, else ``cpu``."""
    name = os.environ.get(ENV_VAR, "").strip() or DEFAULT_PROFILE
    if name not in PROFILE_NAMES:
        raise ConfigError(
            f"{ENV_VAR}={name!r} is not a profile; choose one of {', '.join(PROFILE_NAMES)}"
        )
    return name


def profile_config(name: str | None = None) -> Config:
    """The named profile with no overrides (``None``: :func:`default_profile`)."""
    name = default_profile() if name is None else name
    if name not in PROFILE_NAMES:
        raise ConfigError(f"profile {name!r} is unknown; choose one of {', '.join(PROFILE_NAMES)}")
    return Config(
        profile=name,
        data=DATA_PROFILES[name],
        v2v=V2V_PROFILES[name],
        rovr=ROVR_PROFILES[name],
        **_TOP[name],
    )


def load_config(
    profile: str | None = None, overrides: Mapping[str, Any] | None = None
) -> Config:
    """A profile with dotted-name overrides; ``None`` values are ignored.

    >>> load_config("smoke", {"v2v.iterations": 3}).v2v.iterations
    3
    """
    cfg = profile_config(profile)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        cfg = _set(cfg, key, value)
    validate_config(cfg)
    return cfg


def validate_config(cfg: Config) -> Config:
    """Check every field's type and range, then the rules across fields; return ``cfg``.

    Raises :class:`ConfigError` naming the first bad parameter, e.g.
    ``parameter 'v2v.lr' must be > 0, got -1.0``.
    """
    _check_fields(cfg, "")
    for names, ok, why in _RELATIONS:
        values = [_get(cfg, n) for n in names]
        if not ok(*values):
            shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, values))
            raise ConfigError(f"parameters {shown}: {why}")
    return cfg


def _check_fields(obj: Any, prefix: str) -> None:
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        name, value = prefix + f.name, getattr(obj, f.name)
        if is_dataclass(value):
            _check_fields(value, name + ".")
            continue
        _coerce(name, hints[f.name], value)  # the type
        why = rule_of(f).problem(value)
        if why:
            raise ConfigError(f"parameter {name!r} {why}")


def _get(cfg: Config, dotted: str) -> Any:
    for part in dotted.split("."):
        cfg = getattr(cfg, part)
    return cfg


# Rules across fields: (names, test, what the networks or the data need).
_RELATIONS: tuple[tuple[tuple[str, ...], Any, str], ...] = (
    (("data.rovr_size", "rovr.unet_channels"),
     lambda size, ch: size % 2 ** (len(ch) - 1) == 0,
     "the ROVR frame size must be divisible by 2^(len(unet_channels) - 1), the UNet's pooling"),
    (("rovr.tile_size", "data.rovr_size"), lambda tile, size: tile <= size,
     "policy tiles cannot be larger than the frames"),
    (("data.masks_per_frame", "data.mask_slots"), lambda per, slots: per <= slots,
     "a frame cannot hide more boxes than there are slots"),
    (("data.min_valid_pairs", "data.max_valid_pairs"), lambda lo, hi: lo <= hi,
     "the minimum number of valid pairs must not exceed the maximum"),
    (("rovr.eval_videos", "data.rovr_test_videos"), lambda n, test: n <= test,
     "cannot evaluate more videos than the test set holds (0: all)"),
    (("rovr.conditioning_frames", "data.rovr_len"), lambda k, t: k < t,
     "the k conditioning frames are distinct frames other than the target: k < T"),
    (("rovr.pair_logprob", "rovr.conditioning_frames"),
     lambda kind, k: kind != "exact" or k <= 6,
     "the exact top-k log-prob sums over k! orders: not supported for k > 6 (use 'geometric')"),
)


def _set(obj: Any, dotted: str, value: Any, prefix: str = "") -> Any:
    head, _, rest = dotted.partition(".")
    name = prefix + head
    known = {f.name: f for f in fields(obj)}
    if head not in known:
        raise ConfigError(
            f"unknown parameter {name!r}; known here: {', '.join(sorted(known))}"
        )
    current = getattr(obj, head)
    if rest:
        if not is_dataclass(current):
            raise ConfigError(f"parameter {name!r} has no field {rest!r}")
        return replace(obj, **{head: _set(current, rest, value, name + ".")})
    hint = typing.get_type_hints(type(obj))[head]
    return replace(obj, **{head: _coerce(name, hint, value)})


def _coerce(name: str, hint: Any, value: Any) -> Any:
    """Check ``value`` against a field's type; allow int→float and list→tuple."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(name, option, value)
            except ConfigError:
                pass
        raise ConfigError(f"parameter {name!r} must be {hint}, got {value!r}")
    if hint is type(None):
        if value is None:
            return None
    elif origin is tuple:
        if isinstance(value, (list, tuple)):
            args = typing.get_args(hint)
            item = args[0] if args else Any
            return tuple(_coerce(name, item, v) for v in value)
    elif origin is typing.Literal:
        if value in typing.get_args(hint):
            return value
        raise ConfigError(
            f"parameter {name!r} must be one of {typing.get_args(hint)}, got {value!r}"
        )
    elif hint is Any:
        return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(hint, type) and isinstance(value, hint):
        return value
    raise ConfigError(
        f"parameter {name!r} must be {getattr(hint, '__name__', hint)}, "
        f"got {type(value).__name__} {value!r}"
    )


__all__ = [
    "Config",
    "ConfigError",
    "DataConfig",
    "PROFILE_NAMES",
    "ROVRConfig",
    "V2VConfig",
    "default_profile",
    "load_config",
    "parse_override",
    "parse_value",
    "profile_config",
    "validate_config",
]


def parse_value(text: str) -> Any:
    """A value typed on a command line, parsed as YAML: ``3`` → int, ``1e-3`` → float,
    ``[1,2]`` → list, other words stay strings."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem", None) or "malformed"
        raise RlvidError(f"value {text!r} is not a valid value ({mark}); write a number, "
                         "a word, or a list such as [0, 1]") from None
    if isinstance(value, str):  # YAML reads 1e-3 as a string
        try:
            return float(value)
        except ValueError:
            return value
    return value


def parse_override(item: str) -> tuple[str, Any]:
    """``KEY=VALUE`` (``v2v.lr=1e-3``) as a dotted config name and its :func:`parse_value`."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise RlvidError(f"an override is KEY=VALUE, such as v2v.lr=1e-3; got {item!r}")
    return key.strip(), parse_value(value)
