"""Independence: which reports of one claim count, and at what level.

- outlets of one ownership group count once (the independence key is the group);
- syndicated copies count with the outlet they copy (so a wire copy counts once);
- the origin of each report is its via source ("via Interfax") or, without one, first-hand.
  A confirmed cluster whose reports all rest on one origin is ``single_origin``; two or more
  distinct origins, or a first-hand report, make it ``corroborated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from claimwire.agents.core.timefmt import format_time


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

    def evidence(self, counted: bool) -> dict[str, Any]:
        return {"outlet": self.outlet, "independence_key": self.independence_key,
                "url": self.url, "sentence": self.sentence,
                "published_at": format_time(self.published_at), "origin": self.origin,
                "syndicated_of": self.syndicated_of, "counted": counted}


def origin_of(claim: dict[str, Any]) -> str:
    via = claim.get("via")
    return (via.get("canonical") or via.get("text")) if via else "first-hand"


def independent_reports(reports: list[Report], window: timedelta) -> list[Report]:
    """One report per independence key, the earliest, among reports inside the window that
    starts at the cluster's first report."""
    if not reports:
        return []
    ordered = sorted(reports, key=lambda r: (r.published_at, r.url))
    start = ordered[0].published_at
    chosen: dict[str, Report] = {}
    for report in ordered:
        if report.published_at - start > window:
            break
        chosen.setdefault(report.independence_key, report)
    return list(chosen.values())


def confirmation_level(counted: list[Report]) -> str:
    origins = {r.origin for r in counted}
    return "corroborated" if len(origins) >= 2 or "first-hand" in origins else "single_origin"
