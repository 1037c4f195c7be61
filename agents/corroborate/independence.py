"""Independence: which reports of one claim count, and at what level.

- outlets of one ownership group count once (the independence key is the group);
- syndicated copies count with the outlet they copy (so a wire copy counts once);
- the origin of each report is its via source ("via Interfax") or, without one, first-hand.
  A confirmed cluster whose reports all rest on one origin is ``single_origin``; two or more
  distinct origins, or a first-hand report, make it ``corroborated``.

``explain`` says why the counted reports are independent, as data a subscriber can act on
(the ``independence`` object of a confirmation; docs/claims.md describes its fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from claimwire.agents.core.timefmt import format_time
from claimwire.agents.story.speakers import acronym_keys


@dataclass(frozen=True)
class Report:
    claim_id: str
    outlet: str
    independence_key: str
    url: str
    sentence: str
    published_at: datetime
    origin: str
    syndicated_of: str | None
    owner: str  # the outlet's ownership group; a syndicated copy's key is its source's
    language: str
    match_score: float | None  # the clusterer's score of this claim's match; None: it opened

    def evidence(self, counted: bool) -> dict[str, Any]:
        return {"outlet": self.outlet, "independence_key": self.independence_key,
                "url": self.url, "sentence": self.sentence,
                "published_at": format_time(self.published_at), "origin": self.origin,
                "syndicated_of": self.syndicated_of, "counted": counted,
                "language": self.language, "match_score": self.match_score}


def origin_of(claim: dict[str, Any]) -> str:
    via = claim.get("via")
    return (via.get("canonical") or via.get("text")) if via else "first-hand"


def origin_key(origin: str) -> str:
    """One origin however it is written: "Agence France-Presse" (theguardian.com) and "AFP"
    (nu.nl's "persbureau AFP") are one agency, by the acronym of a name of three or more
    capitalised words or the acronym itself (agents.story.speakers.acronym_keys), in capitals
    ("dpa" is DPA). Else the origin as written. Two reports that both rest on AFP are not
    two origins: without this, one AFP report in two languages was confirmed as
    ``corroborated``."""
    if origin == "first-hand":
        return origin
    if origin.isalpha() and origin.islower() and 3 <= len(origin) <= 6:
        return origin.upper()  # "dpa" writes itself in lower case
    keys = acronym_keys(origin)
    return next(iter(keys)).lstrip("#").upper() if len(keys) == 1 else origin


def in_window(reports: list[Report], window: timedelta) -> list[Report]:
    """The reports inside the window that starts at the cluster's first report, earliest
    first (ties by URL, so any arrival order gives the same list)."""
    ordered = sorted(reports, key=lambda r: (r.published_at, r.url))
    if not ordered:
        return []
    start = ordered[0].published_at
    return [r for r in ordered if r.published_at - start <= window]


def independent_reports(reports: list[Report], window: timedelta) -> list[Report]:
    """One report per independence key, the earliest, among reports inside the window."""
    chosen: dict[str, Report] = {}
    for report in in_window(reports, window):
        chosen.setdefault(report.independence_key, report)
    return list(chosen.values())


def confirmation_level(counted: list[Report]) -> str:
    origins = {origin_key(r.origin) for r in counted}
    return "corroborated" if len(origins) >= 2 or "first-hand" in origins else "single_origin"


def _text_source(report: Report, by_url: dict[str, Report]) -> str | None:
    """The URL of the text a syndicated copy carries, followed through copies of copies."""
    source, seen = report.syndicated_of, {report.url}
    while source in by_url and by_url[source].syndicated_of and source not in seen:
        seen.add(source)
        source = by_url[source].syndicated_of
    return source


def explain(reports: list[Report], counted: list[Report]) -> dict[str, Any]:
    """Why the ``counted`` reports are independent, over ``reports`` (those inside the
    window): the owners and their outlets, the groups of reports that carry one text, the
    origins the counted reports cite, and one sentence saying it. Deterministic (sorted)."""
    counted_urls = {r.url for r in counted}
    by_owner: dict[str, list[Report]] = {}
    for r in reports:
        by_owner.setdefault(r.owner, []).append(r)
    owners = [{"owner": owner, "outlets": sorted({r.outlet for r in rs}), "reports": len(rs),
               "counted": any(r.url in counted_urls for r in rs)}
              for owner, rs in sorted(by_owner.items())]
    by_url = {r.url: r for r in reports}
    copies: dict[str, list[Report]] = {}
    for r in reports:
        source = _text_source(r, by_url)
        if source:
            copies.setdefault(source, []).append(r)
    shared = [{"source_url": source,
               "source_outlet": by_url[source].outlet if source in by_url else None,
               "copies": sorted(r.url for r in rs),
               "copy_outlets": sorted({r.outlet for r in rs})}
              for source, rs in sorted(copies.items())]
    by_origin: dict[str, set[str]] = {}
    for r in counted:
        by_origin.setdefault(origin_key(r.origin), set()).add(r.outlet)
    origins = [{"origin": origin, "outlets": sorted(outlets)}
               for origin, outlets in sorted(by_origin.items())]
    return {"owners": owners, "distinct_owners": len(owners), "shared_text_groups": shared,
            "origins": origins, "distinct_origins": len(origins),
            "reason": _reason(len(counted), len(reports), owners, shared, origins)}


def _reason(n: int, total: int, owners: list[dict[str, Any]], shared: list[dict[str, Any]],
            origins: list[dict[str, Any]]) -> str:
    """The ``explain`` figures as one sentence for a desk."""
    parts = [f"{n} independent of {total} report{'s' if total != 1 else ''}, "
             f"{len(owners)} owner{'s' if len(owners) != 1 else ''}"]
    for o in owners:
        if o["reports"] > 1:
            parts.append(f"{o['owner']} counts once ({', '.join(o['outlets'])})")
    for g in shared:
        parts.append(f"the text of {g['source_outlet'] or g['source_url']} is also at "
                     f"{', '.join(g['copy_outlets'])} (one source)")
    cited = [o["origin"] for o in origins]
    if cited == ["first-hand"]:
        parts.append("all first-hand")
    elif len(cited) == 1:
        parts.append(f"all via {cited[0]}")
    else:
        parts.append("origins: " + ", ".join(cited))
    return "; ".join(parts) + "."
