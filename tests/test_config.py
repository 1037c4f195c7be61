from datetime import timedelta

import pytest

from claimwire.streams.config import ConfigError, load_settings, parse_duration


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS", "CLAIMWIRE_CORROBORATION_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.corroboration.threshold == 2
    assert s.corroboration.window == timedelta(hours=48)
    assert s.kafka.bootstrap_servers is None


def test_toml_file_and_env_override(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[corroboration]\nthreshold = 3\nwindow = "24h"\n\n'
                   '[outlet_groups]\nMediahuis = ["telegraaf.nl", "NRC.nl"]\n')
    s = load_settings(cfg)
    assert s.corroboration.threshold == 3
    assert s.corroboration.window == timedelta(hours=24)
    assert s.outlet_group_of("nrc.nl") == "Mediahuis"
    assert s.outlet_group_of("nos.nl") == "nos.nl"
    monkeypatch.setenv("CLAIMWIRE_CORROBORATION_THRESHOLD", "5")
    assert load_settings(cfg).corroboration.threshold == 5


@pytest.mark.parametrize("var,value", [
    ("CLAIMWIRE_CORROBORATION_THRESHOLD", "two"),
    ("CLAIMWIRE_CORROBORATION_WINDOW", "forever"),
    ("CLAIMWIRE_METRICS_PORT", "70000"),
])
def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, var: str,
                                          value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert var in str(err.value)


def test_bad_toml_and_unknown_key(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[corroboration\nthreshold = 2")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[corroboration]\nthreshhold = 2\n")
    with pytest.raises(ConfigError, match="threshhold"):
        load_settings(unknown)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_outlet_in_two_groups_is_rejected(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[outlet_groups]\nA = ["x.nl"]\nB = ["x.nl"]\n')
    with pytest.raises(ConfigError, match="CLAIMWIRE_OUTLET_GROUPS"):
        load_settings(cfg)


def test_parse_duration() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration(3600) == timedelta(hours=1)
    with pytest.raises(ValueError):
        parse_duration("-1h")


def test_worker_stage_choice() -> None:
    import argparse

    from claimwire.streams.cli import _stages, build_parser

    assert _stages("all") == ("extract", "story", "corroborate")
    assert _stages("story,corroborate") == ("story", "corroborate")
    with pytest.raises(argparse.ArgumentTypeError, match="unknown stage 'stroy'"):
        _stages("stroy")
    args = build_parser().parse_args(["worker", "--stage", "extract"])
    assert args.stage == ("extract",)
