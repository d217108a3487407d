"""pytest fixtures every module's tests use: two tenants, users per role, API and web clients, the clock.

The clock: code asks ``django.utils.timezone`` (``localdate()``, ``now()``) and tests take the ``today``
fixture, so both read the same source. ``--today=YYYY-MM-DD`` (or ``NOVASAAS_TEST_TODAY``) moves that source
with time-machine for the whole session, so a run can be pinned to 1 January, 31 December or 29 February.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from novasaas.identity import actions
from novasaas.identity.models import User
from novasaas.identity.tokens import issue_access_token
from novasaas.platform.events import DomainEvent
from novasaas.platform.models import Tenant
from novasaas.platform.modules import OPTIONAL_MODULES
from novasaas.platform.tenancy import platform_context, tenant_context

# Property tests judge results, not speed: no per-example deadline and no "too slow" health check by
# default (a loaded CI machine made them fail on time, not on behaviour). A test's own @settings still wins.
hypothesis.settings.register_profile("novasaas", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("novasaas")

PASSWORD = "Correct-Horse-42"
_seq = itertools.count(1)


def create_tenant(slug: str | None = None, modules: list[str] | None = None, **fields: Any) -> Tenant:
    n = next(_seq)
    slug = slug or f"t{n}"
    tenant, _admin = actions.create_tenant(
        slug=slug,
        name=fields.pop("name", f"Company {slug}"),
        admin_email=f"admin@{slug}.test",
        admin_password=PASSWORD,
        modules=OPTIONAL_MODULES if modules is None else modules,
        **fields,
    )
    with platform_context():
        tenant.status = "active"
        tenant.save(update_fields=["status"])
    return tenant


def create_user(tenant: Tenant, *roles: str, email: str | None = None) -> User:
    email = email or f"{'-'.join(roles) or 'user'}.{next(_seq)}@{tenant.slug}.test"
    with platform_context():
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, PASSWORD)
    actions.add_member(tenant, user, roles)
    return user


def admin_of(tenant: Tenant) -> User:
    with platform_context():
        return User.objects.get(email=f"admin@{tenant.slug}.test")


class ApiClient:
    """JSON client authenticated as a member of a tenant with a Bearer JWT."""

    def __init__(self, tenant: Tenant, user: User) -> None:
        from novasaas.identity.models import Membership

        with tenant_context(tenant):
            membership = Membership.objects.get(user=user)
        self.tenant, self.user = tenant, user
        self.client = Client()
        self.token = issue_access_token(user.pk, tenant.pk, membership.pk)

    def _call(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}
        if data is not None and method != "get":
            kwargs["data"] = json.dumps(data) if not isinstance(data, (str, bytes)) else data
            kwargs["content_type"] = "application/json"
        elif data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("get", path, data, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("post", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("put", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("patch", path, data, **extra)

    def delete(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("delete", path, data, **extra)


class BrowserClient(Client):
    """A test client as strict as production about CSRF, behaving like a browser that loaded a page.

    CSRF checks are enforced. The client holds the CSRF cookie a page would have set (as Django's
    ``get_token`` does on the first rendered form) and sends the token with every unsafe request
    in the ``X-CSRFToken`` header, as ``app.js`` does for htmx requests. A form field
    ``csrfmiddlewaretoken`` posted by the test takes precedence, as it does for Django. Build it
    with ``send_csrf_token=False`` to act like a forged cross-site request.
    """

    def __init__(self, *, send_csrf_token: bool = True) -> None:
        super().__init__(enforce_csrf_checks=True)
        self.send_csrf_token = send_csrf_token
        self.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()

    def request(self, **request: Any) -> Any:
        unsafe = request.get("REQUEST_METHOD", "GET") not in {"GET", "HEAD", "OPTIONS", "TRACE"}
        cookie = self.cookies.get(settings.CSRF_COOKIE_NAME)
        if unsafe and self.send_csrf_token and cookie is not None:
            request.setdefault(settings.CSRF_HEADER_NAME, cookie.value)
        return super().request(**request)


def web_client(tenant: Tenant, user: User, *, send_csrf_token: bool = True) -> BrowserClient:
    """A browser-like client signed in to ``tenant``, with CSRF enforced (see ``BrowserClient``)."""
    client = BrowserClient(send_csrf_token=send_csrf_token)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["novasaas_tenant_id"] = tenant.pk
    session.save()
    return client


@pytest.fixture
def tenant_a(db: Any) -> Tenant:
    return create_tenant("alpha", name="Công ty Alpha")


@pytest.fixture
def tenant_b(db: Any) -> Tenant:
    return create_tenant("beta", name="Công ty Beta")


@pytest.fixture
def admin_a(tenant_a: Tenant) -> User:
    return admin_of(tenant_a)


@pytest.fixture
def admin_b(tenant_b: Tenant) -> User:
    return admin_of(tenant_b)


@pytest.fixture
def api_a(tenant_a: Tenant, admin_a: User) -> ApiClient:
    return ApiClient(tenant_a, admin_a)


@pytest.fixture
def api_b(tenant_b: Tenant, admin_b: User) -> ApiClient:
    return ApiClient(tenant_b, admin_b)


@pytest.fixture
def in_tenant_a(tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@contextmanager
def recorded_events(*event_types: type[DomainEvent], module: str = "CORE") -> Iterator[list[DomainEvent]]:
    """Collect the events of ``event_types`` published inside the block, as a subscriber of ``module``
    would receive them; the subscription is removed on exit, so it never outlives the test."""
    from novasaas.platform import events

    seen: list[DomainEvent] = []
    subscription = events._Subscription(module=module, handler=seen.append, after_commit=False)
    for event_type in event_types:
        events._subscribers[event_type].append(subscription)
    try:
        yield seen
    finally:
        for event_type in event_types:
            events._subscribers[event_type].remove(subscription)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def today() -> dt.date:
    """The day the test runs, from the clock the code reads (``timezone.localdate()``; moved by ``--today``)."""
    return timezone.localdate()


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--today",
        default=os.environ.get("NOVASAAS_TEST_TODAY") or None,
        metavar="YYYY-MM-DD",
        help="run the whole session as if it were this day (09:00 Asia/Ho_Chi_Minh, the clock ticking)",
    )


def pytest_configure(config: Any) -> None:
    day = config.getoption("--today")
    if not day:
        return
    from zoneinfo import ZoneInfo

    from django.conf import settings

    try:
        pinned = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise pytest.UsageError(f"--today expects YYYY-MM-DD, got {day!r}") from exc
    start = dt.datetime.combine(pinned, dt.time(9), tzinfo=ZoneInfo(settings.TIME_ZONE))
    traveller = time_machine.travel(start, tick=True)
    traveller.start()
    config.stash[_CLOCK] = traveller


def pytest_unconfigure(config: Any) -> None:
    traveller = config.stash.get(_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: Any) -> str | None:
    day = config.getoption("--today")
    return f"clock pinned to {day} (time-machine)" if day else None


_CLOCK = pytest.StashKey[Any]()


@pytest.hookimpl(tryfirst=True)  # before -m selects and before xdist reads the groups
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # a test that takes ``today`` depends on the calendar: the pinned-date CI step (-m date_sensitive) runs it
    sensitive = pytest.mark.date_sensitive
    for item in items:
        if "today" in getattr(item, "fixturenames", ()) and "date_sensitive" not in item.keywords:
            item.add_marker(sensitive)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's language (Vietnamese): a request in English activates English for
    the rest of the thread, and messages built outside a request would follow whatever test ran before."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_tenant_caches() -> Iterator[None]:
    """Every test starts with empty per-tenant caches (SQLite reuses the ids of rolled-back tenants)."""
    from novasaas.platform.tenant_cache import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture(autouse=True)
def _seeded_catalogues_survive_flushes(request: Any, django_db_blocker: Any) -> Iterator[None]:
    """A transactional test ends by flushing every table, migration-seeded platform rows included (the
    plans of billing, the AI model rates and packs), and the next tests of that worker would find no
    catalogue (a sign-up without its default plan). Seed them again after such a test; the seeds skip
    what exists. (HR's payroll rules are rewritten when a company gets HRM.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional:  # a test before it may have flushed them (a mark-only transactional test did)
        request.getfixturevalue("django_db_setup")  # the test database, never the configured one
        _seed_platform_catalogues(django_db_blocker)
    yield
    if transactional:
        _seed_platform_catalogues(django_db_blocker)


def _seed_platform_catalogues(django_db_blocker: Any) -> None:
    from django.apps import apps

    from novasaas.ai.catalogue import seed as seed_ai
    from novasaas.ai.models import CreditPack, ModelRate
    from novasaas.billing import seed as billing_seed
    from novasaas.billing.models import Plan
    from novasaas.platform.tenancy import platform_context

    with django_db_blocker.unblock(), platform_context():
        if not Plan.objects.exists():
            billing_seed.load(apps, None)
            billing_seed.load_promotions(apps, None)
        seed_ai(ModelRate, CreditPack)


@pytest.fixture(autouse=True)
def _one_postgres_race_at_a_time(request: Any) -> Iterator[None]:
    """Under pytest-xdist the PostgreSQL tests (races of up to 25 threads, one connection each) take a lock
    file shared by the workers, so two workers never hold two races' connections at once. (Not
    ``--dist loadgroup``: it schedules by node id, and schemathesis' cases share one, so all but one of
    them would silently not run.)"""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run or "postgres_only" not in request.keywords:
        yield
        return
    import fcntl
    import tempfile
    from pathlib import Path

    with open(Path(tempfile.gettempdir()) / f"novasaas-pg-races-{run}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _in_ci() -> bool:
    import os

    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture
def unicode_font() -> Any:
    """The TTF font the PDF exports need. Skipped on a workstation without it; in CI (``CI=true``) the
    font is a requirement (``.ci/run`` installs fonts-dejavu-core), so its absence fails the test."""
    from novasaas.platform.pdf import font_path

    path = font_path()
    if path is None:
        skip_outside_ci("no Unicode TTF font on this machine (CI installs fonts-dejavu-core, see .ci/run)")
    return path


def skip_outside_ci(reason: str) -> None:
    """Skip a test whose requirement this workstation lacks; in CI (``CI=true``) the requirement is
    part of the set-up, so the same absence fails the test instead of hiding it."""
    if _in_ci():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
