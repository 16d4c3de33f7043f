"""Time rules of the project: store UTC, show and accept WIB (Asia/Jakarta).

A time written without an offset means WIB. Everything returned here is timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from publisher.core.errors import PublisherError

WIB = ZoneInfo("Asia/Jakarta")
UTC = dt.UTC

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TimeFormatError(PublisherError, ValueError):
    """A time string that is not an ISO 8601 date or date-time."""


def parse_time(value: str | dt.datetime | dt.date) -> dt.datetime:
    """Parse `2027-07-30 09:00`, `2027-07-30T09:00+07:00`, `2027-07-30`; naive means WIB.

    Returns an aware datetime in UTC.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if _DATE_ONLY.match(text):
            text += "T00:00"
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError as exc:
            raise TimeFormatError(
                f"'{value}' is not a valid date and time; write it as YYYY-MM-DD HH:MM "
                "(WIB), e.g. 2027-07-30 09:00"
            ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIB)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise TimeFormatError(
            f"'{value}' is outside the range of dates this site can use"
        ) from None


def to_wib(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(WIB)


def format_wib(moment: dt.datetime, with_date: bool = True) -> str:
    """`2027-07-30 09:00 WIB`: the way staff and the CLI show times."""
    local = to_wib(moment)
    return local.strftime("%Y-%m-%d %H:%M WIB" if with_date else "%H:%M WIB")


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)
