"""schemas/: every example validates; faust Records and JSON Schemas agree."""

import json

import pytest

from claimwire.schemas import SCHEMA_DIR, load_schema, schema_names, validator
from claimwire.streams.records import PUBLIC_RECORDS


def test_every_schema_is_versioned_and_has_examples() -> None:
    names = schema_names()
    assert {"articles_raw.v1", "article.v1", "claim.v1", "claim.v2", "confirmation.v1",
            "confirmation.v2", "update.v1", "update.v2", "dead_letter.v1"} <= set(names)
    for name in names:
        assert (SCHEMA_DIR / "examples" / name).is_dir(), f"no examples for {name}"
        record, _dot, version = name.rpartition(".v")
        # a new version never replaces the old one: subscribers of vN-1 keep their contract
        assert all(f"{record}.v{n}" in names for n in range(1, int(version))), name


def test_a_v1_confirmation_is_not_a_v2_one() -> None:
    # v2 requires what v1 lacks (languages, independence): the versions are told apart
    example = json.loads((SCHEMA_DIR / "examples/confirmation.v1/1.json").read_text())
    assert list(validator("confirmation.v2").iter_errors(example))
    example.update(schema_version=2, languages=["nl"], independence={})
    assert list(validator("confirmation.v2").iter_errors(example))  # independence incomplete


@pytest.mark.parametrize("path", sorted((SCHEMA_DIR / "examples").glob("*/*.json")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_validates(path) -> None:
    errors = list(validator(path.parent.name).iter_errors(json.loads(path.read_text())))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_broken_record_fails_validation(version: str) -> None:
    example = json.loads((SCHEMA_DIR / f"examples/confirmation.{version}/1.json").read_text())
    del example["evidence"]
    assert list(validator(f"confirmation.{version}").iter_errors(example))


def test_an_evidence_item_without_language_or_score_fails_v2() -> None:
    for field in ("language", "match_score"):
        example = json.loads((SCHEMA_DIR / "examples/confirmation.v2/1.json").read_text())
        del example["evidence"][0][field]
        assert list(validator("confirmation.v2").iter_errors(example)), field


# the records are the current versions: those the topic registry names
@pytest.mark.parametrize("record,schema", [("article", "article.v1"), ("claim", "claim.v2"),
                                           ("confirmation", "confirmation.v2"),
                                           ("update", "update.v2"),
                                           ("dead_letter", "dead_letter.v1")])
def test_records_and_schemas_agree(record: str, schema: str) -> None:
    from claimwire.streams.topics import TOPIC_SCHEMAS

    assert schema in TOPIC_SCHEMAS.values()  # the version the topics carry
    cls = PUBLIC_RECORDS[record]
    fields = cls._options.fieldpos.values()
    defaults = set(cls._options.defaults)
    sch = load_schema(schema)
    assert set(fields) == set(sch["properties"]), "field names differ"
    # faust gives Optional fields a None default; the schema may still require them (nullable)
    assert set(fields) - defaults <= set(sch["required"]) <= set(fields), \
        "required fields differ"
    assert cls._options.include_metadata is False


def test_what_the_extract_stage_writes_validates_against_its_schema() -> None:
    from datetime import UTC, datetime

    from claimwire.agents.extract.article import extract_batch
    from claimwire.streams.demo import load_demo_corpus

    ingested = datetime(2022, 2, 15, 12, tzinfo=UTC)
    records = [(json.dumps(r).encode(), ingested) for r in load_demo_corpus()]
    extracted = extract_batch(records, max_html_bytes=10**7)
    check = validator("article_extracted.v1")
    assert len(extracted) == len(records)
    for article in extracted:
        assert not [e.message for e in check.iter_errors(article)]
    assert sum(len(a["claims"]) for a in extracted) > 10  # type: ignore[index]


def test_every_topic_has_a_schema_with_examples() -> None:
    from claimwire.streams.topics import TOPICS

    for topic in TOPICS:
        assert topic.schema in schema_names(), topic
