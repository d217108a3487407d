"""The monthly AI usage report: one definition (house report table, ``platform/reports.py``) serves the
token page, its chart, Excel, PDF and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.ai.models import Feature, KeySource, UsageRecord
from novasaas.platform.reports import Column, Report

COLUMNS = [
    Column("day", gettext_lazy("Day"), "date"),
    Column("model", gettext_lazy("Model")),
    Column("paid_by", gettext_lazy("Paid by")),
    Column("requests", gettext_lazy("Requests"), "qty"),
    Column("input_tokens", gettext_lazy("Input tokens"), "qty"),
    Column("output_tokens", gettext_lazy("Output tokens"), "qty"),
    Column("credits", gettext_lazy("Credits"), "qty"),
    Column("cost_vnd", gettext_lazy("Cost (VND)"), "money"),
]
SUMMED = ("requests", "input_tokens", "output_tokens", "credits", "cost_vnd")
FIGURES = COLUMNS[3:]
# the other groupings of the same figures (one file each): per member, per feature
BY_COLUMNS = {
    "member": [Column("member", gettext_lazy("Member")), *FIGURES],
    "feature": [Column("feature", gettext_lazy("Feature")), *FIGURES],
}
GROUPINGS = ("day", "member", "feature")


def parse_month(value: str | None) -> dt.date:
    """``YYYY-MM`` → the month's first day; empty → this month (the company's local date)."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time
    except ValueError:
        raise ValidationError({"month": [_("The month is written YYYY-MM.")]}) from None
    if not 2000 <= month.year <= 2100:
        raise ValidationError({"month": [_("The month is written YYYY-MM.")]})
    return month


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, dt.datetime.combine(following, dt.time.min, tzinfo=tz)


def usage_report(month: dt.date) -> Report:
    """Served and interrupted requests of the month (refused and failed ones cost nothing), by day, model
    and who paid (own key or shared credits); totals of every figure. The caller is in the tenant's context."""
    start, end = _bounds(month)
    paid_by = dict(KeySource.choices)
    grouped = (
        UsageRecord.objects.filter(created_at__gte=start, created_at__lt=end, status__in=["ok", "partial"])
        .annotate(day=TruncDate("created_at"))
        .values("day", "model", "key_source")
        .annotate(
            requests=Count("pk"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            credits=Sum("credits"),
            cost_vnd=Sum("cost_vnd"),
        )
        .order_by("day", "model", "key_source")
    )
    rows: list[dict[str, Any]] = []
    for g in grouped:
        row: dict[str, Any] = {k: int(g[k] or 0) for k in SUMMED}
        row |= {"day": g["day"], "model": g["model"], "paid_by": str(paid_by.get(g["key_source"], g["key_source"]))}
        rows.append(row)
    totals = {k: sum(r[k] for r in rows) for k in SUMMED}
    return Report(
        name=f"ai-usage-{month:%Y-%m}",
        title=_("AI usage %(month)s") % {"month": f"{month:%m/%Y}"},
        columns=COLUMNS,
        rows=rows,
        totals=totals,
    )


def grouped_report(month: dt.date, by: str) -> Report:
    """The month's served and interrupted requests per member (``by="member"``; requests without a member,
    such as an API key's, under "—") or per feature (chat, documents, look-ups, API); ``"day"`` is
    ``usage_report``. Same figures and totals."""
    if by == "day":
        return usage_report(month)
    if by not in BY_COLUMNS:
        raise ValidationError({"by": [_("Group by day, member or feature.")]})
    start, end = _bounds(month)
    field = {"member": "user__email", "feature": "feature"}[by]
    grouped = (
        UsageRecord.objects.filter(created_at__gte=start, created_at__lt=end, status__in=["ok", "partial"])
        .values(field)
        .annotate(
            requests=Count("pk"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            credits=Sum("credits"),
            cost_vnd=Sum("cost_vnd"),
        )
        .order_by(field)
    )
    labels = {**dict(Feature.choices), "api": _("API")}
    rows: list[dict[str, Any]] = []
    for g in grouped:
        row: dict[str, Any] = {k: int(g[k] or 0) for k in SUMMED}
        value = g[field]
        row[by] = (value or "—") if by == "member" else str(labels.get(value, value))
        rows.append(row)
    rows.sort(key=lambda r: (-r["credits"], -r["requests"], r[by]))
    totals = {k: sum(r[k] for r in rows) for k in SUMMED}
    title = (_("AI usage per member %(month)s") if by == "member" else _("AI usage per feature %(month)s")) % {
        "month": f"{month:%m/%Y}"
    }
    return Report(name=f"ai-usage-{by}-{month:%Y-%m}", title=title, columns=BY_COLUMNS[by], rows=rows, totals=totals)


def daily_credits(report: Report, month: dt.date) -> dict[str, Any]:
    """The chart's data: credits and requests per day of the month (days without use are 0)."""
    _start, end = _bounds(month)
    days = (end.date() - month).days
    credits = [0] * days
    requests = [0] * days
    for row in report.rows:
        i = (row["day"] - month).days
        if 0 <= i < days:
            credits[i] += row["credits"]
            requests[i] += row["requests"]
    return {
        "labels": [f"{d + 1:02d}" for d in range(days)],
        "credits": credits,
        "requests": requests,
        "credits_label": _("Credits"),
        "requests_label": _("Requests"),
    }
