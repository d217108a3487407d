"""Fixtures of the projects tests."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def monday(today: dt.date) -> dt.date:
    """The Monday of the week before ``today`` (a past, whole week whatever day the tests run)."""
    return today - dt.timedelta(days=today.weekday() + 7)
