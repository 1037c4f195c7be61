"""One frozen settings object, read from ``CLAIMWIRE_*`` environment variables and an optional
TOML file (``--config FILE.toml``). Environment variables win over the file; the file wins over
the defaults. Each default is written once, in the field below.

The TOML file has one ``[section]`` per group below, read by pydantic-settings' own TOML
source; a setting's environment variable is ``CLAIMWIRE_<SECTION>_<KEY>`` (``[kafka]
bootstrap_servers`` is ``CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS``), except the outlet-group table,
``[outlet_groups]`` or ``CLAIMWIRE_OUTLET_GROUPS`` as JSON. ``docs/settings.md`` is generated
from these classes (``python -m claimwire.streams.config``) and a test keeps it current.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from claimwire.agents.core.limits import Limits

ENV_PREFIX = "CLAIMWIRE_"

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


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Section):
    bootstrap_servers: str | None = Field(
        default=None, description="host:port[,host:port]. Unset: start the embedded Tansu "
        "broker.")
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$",
                              description="Prepended to every topic name.")
    partitions: int = Field(default=4, ge=1, le=1024,
                            description="Partitions of each topic claimwire creates.")
    max_message_bytes: int = Field(
        default=8 * 1024 * 1024, ge=64 * 1024, le=1024 * 1024 * 1024,
        description="The one record-size setting: topics' max.message.bytes, producers' "
        "max_request_size, and from it the largest raw record and article text the extract "
        "stage accepts (a quarter of a record). Topics created elsewhere must allow as much.")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How every client (faust and kafka-python) talks to "
        "the broker.")
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="PLAIN", description="SASL mechanism (SASL_* protocols).")
    sasl_username: str | None = Field(default=None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(
        default=None, description="SASL password; never logged or exported.")
    ssl_cafile: Path | None = Field(default=None, description="CA bundle (PEM) to verify the "
                                    "broker (SSL, SASL_SSL).")
    ssl_certfile: Path | None = Field(default=None, description="Client certificate (PEM).")
    ssl_keyfile: Path | None = Field(default=None, description="Client private key (PEM).")


class CorroborationSettings(_Section):
    threshold: int = Field(default=2, ge=1, le=100,
                           description="K: independent outlets needed to confirm a claim.")
    window: Duration = Field(default=timedelta(hours=48),
                             description="Event-time window of a claim's reports.")
    allowed_lateness: Duration = Field(
        default=timedelta(hours=6),
        description="How far behind the latest publication time an article may arrive and "
        "still be processed in event-time order.")


class StorySettings(_Section):
    sentence_encoder: bool = Field(
        default=True, description="Compare the leads of English articles by sentence "
        "embedding too (bundled model, about 25 ms per article). false: terms only.")
    release_markers: bool = Field(
        default=True, description="Release the event-time buffer on wall-clock timers (the "
        "two settings below) so that a live stream never waits for the watermark. `claimwire "
        "replay` sets false: the buffer then holds everything until the end of the input, so "
        "a replay's outcome does not depend on the machine's speed.")
    reorder_idle_s: float = Field(
        default=0.25, gt=0, description="Release a partition's event-time buffer after this "
        "many seconds without new input.")
    reorder_max_wait_s: float = Field(
        default=0.5, gt=0, description="Release it at the latest when its oldest article "
        "has waited this long: bounds latency under steady input (ingest to confirmation at "
        "half saturation, p50 / p99: 17.4 / 27.3 s with 30 s, 0.85 / 1.79 s with 0.5 s; "
        "docs/performance.md). Longer: more arrivals put in publication-time order before "
        "they are processed.")


class ExtractSettings(_Section):
    max_html_bytes: int = Field(default=5_000_000, ge=1024,
                                description="Larger raw records go to the DLQ (too_large); "
                                "capped by [kafka] max_message_bytes.")
    page_timeout_s: float = Field(
        default=20.0, gt=0, description="Wall-clock limit of HTML extraction for one page "
        "(in a worker process); past it the record is a dead letter (timeout).")
    page_workers: int = Field(default=1, ge=1, le=64,
                              description="Processes that run HTML extraction.")
    claims_timeout_s: float = Field(
        default=30.0, gt=0, description="Wall-clock limit of the claim rules for one article "
        "(checked per sentence and cue); past it the record is a dead letter (timeout). A "
        "claim-dense text of 1 MB, the longest accepted, needs about 10 s.")


class MetricsSettings(_Section):
    port: int = Field(default=9464, ge=0, le=65535,
                      description="Port of /metrics; 0 disables the HTTP endpoint.")


class WorkerSettings(_Section):
    broker_session_timeout_s: float = Field(
        default=10.0, gt=0, description="faust's 60 s default makes the first group join on "
        "Tansu take ~32 s.")
    fetch_wait_s: float = Field(
        default=0.5, gt=0, le=1.5, description="How long a consumer fetch may wait at the "
        "broker for records. faust fixes 1.5 s, and on the embedded broker a waiting aiokafka "
        "fetch is answered late (0.38 s after the record at 1.5 s, 0.015 s at 0.1 s: "
        "scripts/broker_latency.py), on every hop of the pipeline. Shorter costs CPU: at "
        "0.1 s the workers spent 190 ms per article against 144 ms at 0.5 s and 146 ms at "
        "1.5 s (docs/performance.md).")
    instance_id: str | None = Field(
        default=None, description="Static membership of the consumer group: a worker "
        "restarted with the same id (after a crash, a SIGKILL, an OOM kill) takes its "
        "partitions back in one group join, instead of waiting for the broker to drop its dead "
        "predecessor and rebalancing twice (12 s of a recovery on the embedded broker). Give "
        "every worker its own, stable over restarts (in Kubernetes the pod name): two live "
        "workers with one id fence each other. Hazard: a worker with an id leaves no group on "
        "a clean stop either, so its partitions move to the others only after the session "
        "timeout. Unset: dynamic membership.")
    broker_wait_s: float = Field(
        default=60.0, gt=0, description="How long a worker waits for an unreachable broker, "
        "at start and mid-run, before it exits non-zero (exit code 75).")
    state_dir: Path = Field(
        default=Path(".claimwire-state"), description="Local folder of the worker's own: the "
        "records in flight (a record that crashed it twice is set aside as a poison_pill) and, "
        "with `snapshots`, the partition-state snapshots. One folder per worker.")
    snapshots: bool = Field(
        default=False, description="Snapshot the story and corroborate partition states under "
        "state_dir, so that a restart replays only the log after the newest snapshot. Off: "
        "a restart rebuilds from the whole retained log. Leave off for the embedded broker, "
        "whose log is new on every run.")
    snapshot_every: int = Field(default=1000, ge=1,
                                description="Snapshot a partition every this many records ...")
    snapshot_interval_s: float = Field(default=60.0, gt=0,
                                       description="... or after this many seconds.")
    native_threads: int = Field(
        default=1, ge=0, description="Threads the numeric libraries (OpenBLAS: the sentence "
        "encoder, the story index) may use in a worker; 0 keeps their one per core. Their "
        "matrices are small, and extra threads contend with the extract processes "
        "(streams/runtime/native_threads.py).")


def _check_groups(value: dict[str, list[str]]) -> dict[str, list[str]]:
    seen: dict[str, str] = {}
    for group, outlets in value.items():
        for outlet in outlets:
            domain = outlet.strip().lower()
            if domain in seen and seen[domain] != group:
                raise ValueError(f"outlet {domain!r} is in two groups: {seen[domain]!r} and "
                                 f"{group!r}")
            seen[domain] = group
    return {g: [o.strip().lower() for o in outlets] for g, outlets in value.items()}


class Settings(BaseSettings):
    """claimwire settings: one section per concern."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="_",
                                      env_nested_max_split=1, frozen=True, extra="forbid")

    kafka: KafkaSettings = KafkaSettings()
    corroboration: CorroborationSettings = CorroborationSettings()
    story: StorySettings = StorySettings()
    extract: ExtractSettings = ExtractSettings()
    metrics: MetricsSettings = MetricsSettings()
    worker: WorkerSettings = WorkerSettings()
    outlet_groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Outlets (by domain) that share an owner count "
        "once: group name -> domains. Env: a JSON object.")

    @field_validator("outlet_groups")
    @classmethod
    def _groups(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_groups(value)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def limits(self) -> Limits:
        """Every record-size limit, from [kafka] max_message_bytes."""
        return Limits(message_bytes=self.kafka.max_message_bytes,
                      max_html_bytes=self.extract.max_html_bytes)

    def outlet_group_of(self, outlet: str) -> str:
        """The ownership group of an outlet domain, or the domain itself."""
        domain = outlet.lower()
        for group, outlets in self.outlet_groups.items():
            if domain in outlets:
                return group
        return domain


def setting_rows() -> Iterator[tuple[str, str, str, str]]:
    """(environment variable, TOML key, default, description) of every setting."""
    for section, field in Settings.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, _Section):
            for key, sub in model.model_fields.items():
                default = sub.default
                shown = _format_default(default)
                yield (f"{ENV_PREFIX}{section.upper()}_{key.upper()}", f"[{section}] {key}",
                       shown, sub.description or "")
        else:
            yield (f"{ENV_PREFIX}{section.upper()}", f"[{section}]", "none",
                   field.description or "")


def _format_default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, timedelta):
        hours = value.total_seconds() / 3600
        return f"`{hours:g}h`"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Path):
        return f"`{value}`"
    return f"`{value!r}`" if isinstance(value, str) else str(value)


def settings_markdown() -> str:
    """The settings reference (docs/settings.md)."""
    lines = ["# Settings", "", "Generated by `python -m claimwire.streams.config` from "
             "`streams/config.py`; a test keeps it current. Environment variables win over "
             "the TOML file (`--config FILE.toml`), the file over the defaults.", "",
             "| env variable | TOML | default | what |", "|---|---|---|---|"]
    lines += [f"| `{env}` | `{toml}` | {default} | {what} |"
              for env, toml, default, what in setting_rows()]
    return "\n".join(lines) + "\n"


def _where(loc: tuple[Any, ...]) -> str:
    """The environment variable and TOML key of a validation error's location."""
    parts = [str(p) for p in loc]
    if not parts:
        return "?"
    if len(parts) == 1 or parts[0] == "outlet_groups":
        return f"{ENV_PREFIX}{parts[0].upper()} / [{parts[0]}]"
    return f"{ENV_PREFIX}{parts[0].upper()}_{parts[1].upper()} / [{parts[0]}] {parts[1]}"


def _toml_settings_class(path: Path) -> type[Settings]:
    """Settings reading ``path`` through pydantic-settings' TOML source (which reads the file
    named in the class's config: hence a subclass per file, not a module-global slot)."""
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": path})  # type: ignore[typeddict-item]
    return type("Settings", (Settings,), {"model_config": config, "__module__": __name__})


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; raise ConfigError naming the variable and key of invalid values."""
    cls = _toml_settings_class(Path(config_file)) if config_file else Settings
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = [f"{_where(err['loc'])}: {err['msg']} (got {err.get('input')!r})"
                    for err in exc.errors()]
        where = f" (file {config_file})" if config_file else ""
        raise ConfigError(f"invalid claimwire settings{where}:\n  " + "\n  ".join(problems)
                          ) from None


if __name__ == "__main__":
    sys.stdout.write(settings_markdown())
