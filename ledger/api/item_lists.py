"""What a request for a list of items asks (`GET /items`, `/items.csv`, the `/items` page):
its filters, checked one by one with a 422 that names the parameter and says what to send
instead, its sort, and the opaque `after` cursor of keyset pagination. The list itself comes
from the items read model (`ledger.projections.item_list`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Literal

from fastapi import Query

from ledger.api.deps import Context
from ledger.errors import InvalidInput
from ledger.identifiers import ItemType, parse_code
from ledger.item_effects import say_location, statuses
from ledger.messages import Sentence, status_term, term
from ledger.projections.item_list import ItemFilter, ItemRow, Sort

DEFAULT_LIMIT, MAX_LIMIT = 50, 500
RULE_ID = re.compile(r"R-[A-Z]{2,4}-\d{1,3}")
#: The columns of a list's CSV file, in order (the JSON rows' fields without the labels).
CSV_COLUMNS = (
    "code",
    "item_type",
    "status",
    "holds",
    "location",
    "lot",
    "expiry",
    "created_at",
    "site",
    "study",
    "patient",
)


@dataclass(frozen=True)
class ListRequest:
    """A checked request for a list: what it keeps, how it is sorted, where it continues."""

    where: ItemFilter
    sort: Sort
    descending: bool
    limit: int
    after: tuple[str, ...] | None

    @property
    def order(self) -> str:
        return "desc" if self.descending else "asc"

    def cursor(self, key: tuple[str, ...] | None) -> str | None:
        """The opaque `after` value that continues this list after `key`."""
        if key is None:
            return None
        data = json.dumps({"k": list(key), "l": self.fingerprint()}, separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")

    def fingerprint(self) -> str:
        listed = {"f": self.where.as_json(), "s": self.sort.value, "o": self.order}
        return hashlib.sha256(json.dumps(listed, sort_keys=True).encode()).hexdigest()[:16]


def list_request(
    ctx: Context,
    types: Annotated[
        list[str],
        Query(
            alias="type",
            description="Item type prefixes (LOT, PVL, BVL, SHP, ...), repeated or "
            "comma-separated: items of any of them",
        ),
    ] = [],  # noqa: B006 (FastAPI copies a parameter's default for each request)
    status: Annotated[
        list[str],
        Query(description="Statuses as the items view words them, repeated: any of them"),
    ] = [],  # noqa: B006
    lot: Annotated[str | None, Query(max_length=60, description="The lot named")] = None,
    site: Annotated[
        str | None, Query(max_length=60, description="The clinical site (SIT-...) it belongs to")
    ] = None,
    location: Annotated[
        str | None, Query(max_length=200, description="A part of where it is now, any case")
    ] = None,
    holds: Annotated[
        str | None,
        Query(
            max_length=20,
            description="`true`: only items on hold; `false`: none on hold; a rule ID such as "
            "R-QC-2: on hold under that rule",
        ),
    ] = None,
    created_from: Annotated[
        date | None, Query(description="Recorded on or after this UTC date (YYYY-MM-DD)")
    ] = None,
    created_to: Annotated[
        date | None, Query(description="Recorded on or before this UTC date (YYYY-MM-DD)")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=60, description="A code's beginning, or a lot, study or patient code"),
    ] = None,
    sort: Annotated[Sort, Query(description="The order; ties in code order")] = Sort.CODE,
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    after: Annotated[
        str | None,
        Query(
            max_length=400,
            description="The `next` of the page before (opaque); or, as on every read, a "
            "notification id: the first page once the read models include it",
        ),
    ] = None,
) -> ListRequest:
    """The request's list, or a 422 naming the parameter that cannot be used (nothing read)."""
    if after is not None and after.isdigit():
        ctx.wait_for(int(after))  # read-your-writes, as `?after=` on every read
        after = None
    held, rule = _holds(holds)
    if created_from and created_to and created_from > created_to:
        raise InvalidInput(
            Sentence(
                "created_from {start} is after created_to {end}; give the earlier date first",
                start=created_from.isoformat(),
                end=created_to.isoformat(),
            )
        )
    request = ListRequest(
        ItemFilter(
            types=_types(types),
            statuses=_statuses(status),
            lot=_code_or_text(lot),
            site=str(parse_code(site, ItemType.SITE)) if site and site.strip() else None,
            location=_text(location),
            held=held,
            hold_rule=rule,
            created_from=created_from,
            created_to=created_to,
            q=_text(q),
        ),
        sort,
        order == "desc",
        limit,
        None,
    )
    return replace(request, after=_after(request, after)) if after else request


def _values(given: Iterable[str]) -> list[str]:
    return [v.strip() for value in given for v in value.split(",") if v.strip()]


def _types(given: Iterable[str]) -> tuple[str, ...]:
    known = [t.value for t in ItemType]
    wanted = [v.upper() for v in _values(given)]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise InvalidInput(
            Sentence(
                "type {values:list} is not an item type; send the prefix of a code, one of "
                "{known:list}",
                values=unknown,
                known=known,
            )
        )
    return tuple(dict.fromkeys(wanted))


def _statuses(given: Iterable[str]) -> tuple[str, ...]:
    known = sorted(statuses())
    wanted = [" ".join(v.split()) for v in _values(given)]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise InvalidInput(
            Sentence(
                "status {values:list} is not a status an item can show; send one of {known:list}",
                values=unknown,
                known=known,
            )
        )
    return tuple(dict.fromkeys(wanted))


def _holds(given: str | None) -> tuple[bool | None, str | None]:
    value = (given or "").strip()
    if not value:
        return None, None
    if value.lower() in ("true", "false"):
        return value.lower() == "true", None
    if RULE_ID.fullmatch(value.upper()):
        return True, value.upper()
    raise InvalidInput(
        Sentence(
            "holds {value!r} is neither true, false nor a rule ID; send true (only items on "
            "hold), false (none on hold) or a rule ID such as R-QC-2",
            value=value,
        )
    )


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _code_or_text(value: str | None) -> str | None:
    """A lot as given: one of our codes is checked (R-ID-1: a mistyped one is refused) and
    written as issued; a supplier's lot number is kept as typed."""
    text = _text(value)
    if text is None:
        return None
    parts = text.split("-")
    if len(parts) == 5 and parts[0].upper() in {t.value for t in ItemType}:
        return str(parse_code(text))
    return text


def _after(request: ListRequest, after: str) -> tuple[str, ...]:
    """The key a cursor of this very list continues after, or a 422."""
    try:
        data = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
        key, listed = data["k"], data["l"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidInput(
            Sentence(
                "after {after!r} is not the next of a page of this list; send the next value "
                "of the page before as it came, or leave after out to start at the beginning",
                after=after[:40],
            )
        ) from None
    if listed != request.fingerprint() or not (
        isinstance(key, list) and all(isinstance(k, str) for k in key)
    ):
        raise InvalidInput(
            Sentence(
                "after belongs to another list (other filters, sort or order); keep the "
                "filters of the page it came from, or leave after out to start at the beginning"
            )
        )
    return tuple(key)


def row_json(row: ItemRow, language: str) -> dict[str, object]:
    """One list row as the API answers it, labels in `language`."""
    return {
        "code": row.code,
        "item_type": row.item_type,
        "type_label": term(ItemType(row.item_type).label, language),
        "status": row.status,
        "status_label": status_term(row.status, row.item_type, language),
        "holds": [dict(h) for h in row.holds],
        "location": row.location,
        "location_label": say_location(row.location, language),
        "lot": row.lot,
        "expiry": row.expiry,
        "created_at": row.created_at,
        "site": row.site,
        "study": row.study,
        "patient": row.patient,
    }


def row_cells(row: ItemRow) -> tuple[object, ...]:
    """One list row as a line of the CSV file (`CSV_COLUMNS`)."""
    holds = "; ".join(f"{h['rule']}: {h['reason']}" for h in row.holds)
    return (
        row.code,
        row.item_type,
        row.status,
        holds,
        row.location,
        row.lot,
        row.expiry,
        row.created_at,
        row.site,
        row.study,
        row.patient,
    )
