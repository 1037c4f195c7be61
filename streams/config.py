"""One frozen settings object, read from ``CLAIMWIRE_*`` environment variables and an optional
TOML file (``--config FILE.toml``). Environment variables win over the file; the file wins over
the defaults.

TOML layout (a contract, keep these keys)::

    [kafka]
    bootstrap_servers = "localhost:9092"   # CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS
    topic_prefix = ""                       # CLAIMWIRE_TOPIC_PREFIX
    partitions = 4                          # CLAIMWIRE_PARTITIONS

    [corroboration]
    threshold = 2                           # CLAIMWIRE_CORROBORATION_THRESHOLD
    window = "48h"                          # CLAIMWIRE_CORROBORATION_WINDOW

    [metrics]
    port = 9464                             # CLAIMWIRE_METRICS_PORT

    [extract]
    max_html_bytes = 5000000                # CLAIMWIRE_MAX_HTML_BYTES

    [outlet_groups]                         # CLAIMWIRE_OUTLET_GROUPS (JSON)
    Mediahuis = ["telegraaf.nl", "nrc.nl"]
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

ENV_PREFIX = "CLAIMWIRE_"

# TOML [section] key -> settings field
_TOML_KEYS: dict[tuple[str, str], str] = {
    ("kafka", "bootstrap_servers"): "kafka_bootstrap_servers",
    ("kafka", "topic_prefix"): "topic_prefix",
    ("kafka", "partitions"): "partitions",
    ("corroboration", "threshold"): "corroboration_threshold",
    ("corroboration", "window"): "corroboration_window",
    ("corroboration", "allowed_lateness"): "allowed_lateness",
    ("metrics", "port"): "metrics_port",
    ("extract", "max_html_bytes"): "max_html_bytes",
    ("worker", "broker_session_timeout_s"): "broker_session_timeout_s",
    ("corroboration", "reorder_idle_s"): "reorder_idle_s",
    ("corroboration", "reorder_max_wait_s"): "reorder_max_wait_s",
    ("story", "sentence_encoder"): "story_sentence_encoder",
}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A setting is invalid; the message names the environment variable and the TOML key."""


def parse_duration(value: object) -> timedelta:
    """'48h', '30m', '2d', '90s' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. '48h', '30m', '2d', '90s')")
        seconds = float(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive, got {value!r}")
    return timedelta(seconds=seconds)


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns everything at once

    def __call__(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {self.path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {self.path} is not valid TOML: {exc}") from exc
        out: dict[str, Any] = {}
        for section, body in data.items():
            if section == "outlet_groups":
                out["outlet_groups"] = body
                continue
            if not isinstance(body, dict):
                raise ConfigError(f"{self.path}: top-level key {section!r} must be a [section]")
            for key, value in body.items():
                field = _TOML_KEYS.get((section, key))
                if field is None:
                    raise ConfigError(f"{self.path}: unknown setting [{section}] {key}")
                out[field] = value
        return out


class Settings(BaseSettings):
    """claimwire settings. Each field: env variable, TOML key, default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        description="CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS, [kafka] bootstrap_servers. "
        "host:port[,host:port]. Unset: start the embedded Tansu broker.")
    topic_prefix: str = Field(
        default="", pattern=r"^[A-Za-z0-9._-]*$",
        description="CLAIMWIRE_TOPIC_PREFIX, [kafka] topic_prefix. Prepended to every topic.")
    partitions: int = Field(
        default=4, ge=1, le=1024,
        description="CLAIMWIRE_PARTITIONS, [kafka] partitions. Partitions per topic created.")
    corroboration_threshold: int = Field(
        default=2, ge=1, le=100,
        description="CLAIMWIRE_CORROBORATION_THRESHOLD, [corroboration] threshold. K: "
        "independent outlets needed to confirm a claim.")
    corroboration_window: timedelta = Field(
        default=timedelta(hours=48),
        description="CLAIMWIRE_CORROBORATION_WINDOW, [corroboration] window. Event-time window "
        "('48h').")
    allowed_lateness: timedelta = Field(
        default=timedelta(hours=6),
        description="CLAIMWIRE_ALLOWED_LATENESS, [corroboration] allowed_lateness. How far "
        "behind the latest publication time an article may arrive and still be processed in "
        "event-time order.")
    reorder_idle_s: float = Field(
        default=2.0, gt=0,
        description="CLAIMWIRE_REORDER_IDLE_S, [corroboration] reorder_idle_s. Release the "
        "event-time buffer of a partition after this many seconds without new input.")
    reorder_max_wait_s: float = Field(
        default=30.0, gt=0,
        description="CLAIMWIRE_REORDER_MAX_WAIT_S, [corroboration] reorder_max_wait_s. Release "
        "it at the latest when its oldest article has waited this long (bounds latency under "
        "steady input).")
    story_sentence_encoder: bool = Field(
        default=True,
        description="CLAIMWIRE_STORY_SENTENCE_ENCODER, [story] sentence_encoder. Compare the "
        "leads of English articles by sentence embedding too (all-MiniLM-L6-v2, bundled; "
        "about 25 ms per article on one core, and torch loaded in the story worker). false: "
        "the term-based model only.")
    metrics_port: int = Field(
        default=9464, ge=0, le=65535,
        description="CLAIMWIRE_METRICS_PORT, [metrics] port. 0 disables the HTTP endpoint.")
    max_html_bytes: int = Field(
        default=5_000_000, ge=1024,
        description="CLAIMWIRE_MAX_HTML_BYTES, [extract] max_html_bytes. Larger pages go to the "
        "DLQ.")
    broker_session_timeout_s: float = Field(
        default=10.0, gt=0,
        description="CLAIMWIRE_BROKER_SESSION_TIMEOUT_S, [worker] broker_session_timeout_s. "
        "faust's 60 s default makes the first join on Tansu take ~32 s.")
    outlet_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="CLAIMWIRE_OUTLET_GROUPS (JSON object), [outlet_groups]. Outlets (by "
        "domain) sharing an owner count once.")

    @field_validator("corroboration_window", "allowed_lateness", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @field_validator("outlet_groups")
    @classmethod
    def _groups(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for group, outlets in value.items():
            for outlet in outlets:
                domain = outlet.strip().lower()
                if domain in seen and seen[domain] != group:
                    raise ValueError(f"outlet {domain!r} is in two groups: "
                                     f"{seen[domain]!r} and {group!r}")
                seen[domain] = group
        return {g: [o.strip().lower() for o in outlets] for g, outlets in value.items()}

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings,
                _TomlSource(settings_cls, _CONFIG_FILE.get("path")))

    def outlet_group_of(self, outlet: str) -> str:
        """The ownership group of an outlet domain, or the domain itself."""
        domain = outlet.lower()
        for group, outlets in self.outlet_groups.items():
            if domain in outlets:
                return group
        return domain


# The TOML path is passed through a module slot because pydantic-settings builds sources
# from the class, not the instance; load_settings() sets and clears it.
_CONFIG_FILE: dict[str, Path | None] = {"path": None}


def _field_env(field: str) -> str:
    toml = next((f"[{s}] {k}" for (s, k), f in _TOML_KEYS.items() if f == field),
                f"[{field}]")
    return f"{ENV_PREFIX}{field.upper()} / {toml}"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; raise ConfigError naming the variable on invalid values."""
    _CONFIG_FILE["path"] = Path(config_file) if config_file else None
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(f"{_field_env(field)}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("invalid claimwire settings:\n  " + "\n  ".join(problems)) from None
    finally:
        _CONFIG_FILE["path"] = None
