"""Core API of the platform: notifications (spec §3.1.5) and the dashboard layout (spec §3.1.3).

Mounted under the identity router (/api/v1/notifications…, /api/v1/dashboard/…).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from novasaas.platform import dashboard, notifications
from novasaas.platform.api import ErrorOut, StrictSchema, module_auth
from novasaas.platform.models import Notification

router = Router(tags=["notifications"], auth=module_auth())


def _user(request: HttpRequest) -> Any:
    user = request.auth.user  # type: ignore[attr-defined]
    if user is None:
        raise PermissionDenied(_("API keys have no notifications: sign in as a user."))
    return user


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    read_at: dt.datetime | None
    created_at: dt.datetime


class NotificationCountOut(Schema):
    count: int


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: bool


class PreferenceIn(StrictSchema):
    kind: str = Field(max_length=60)
    in_app: bool = True
    email: bool = False


@router.get("/notifications", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False) -> Any:
    """The signed-in member's notifications, newest first."""
    return notifications.list_for(_user(request), unread_only=unread)


@router.get("/notifications/unread-count", response=NotificationCountOut)
def unread_count(request: HttpRequest) -> Any:
    return {"count": notifications.unread_count(_user(request))}


@router.post("/notifications/read-all", response=NotificationCountOut)
def mark_all_read(request: HttpRequest) -> Any:
    return {"count": notifications.mark_all_read(_user(request))}


@router.get("/notifications/preferences", response=list[PreferenceOut])
def get_preferences(request: HttpRequest) -> Any:
    return notifications.preferences_for(_user(request))


@router.put("/notifications/preferences", response={200: list[PreferenceOut], 400: ErrorOut})
def put_preferences(request: HttpRequest, data: list[PreferenceIn]) -> Any:
    choices = {p.kind: {"in_app": p.in_app, "email": p.email} for p in data}
    return 200, notifications.set_preferences(_user(request), choices)


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, 404: ErrorOut})
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    user = _user(request)
    item = get_object_or_404(Notification, pk=notification_id, recipient=user)
    return 200, notifications.mark_read(user, item)


# --- dashboard layout ------------------------------------------------------------------------------


class LayoutItem(Schema):
    key: str
    visible: bool = True


class LayoutItemIn(StrictSchema):
    key: str = Field(max_length=60)
    visible: bool = True


class LayoutIn(StrictSchema):
    widgets: list[LayoutItemIn]


class LayoutOut(Schema):
    widgets: list[LayoutItem]


@router.get("/dashboard/layout", response=LayoutOut, tags=["dashboard"])
def get_layout(request: HttpRequest) -> Any:
    request.auth.require("core.dashboard.view")  # type: ignore[attr-defined]
    return {"widgets": dashboard.layout_for(request.auth)}  # type: ignore[attr-defined]


@router.put("/dashboard/layout", response={200: LayoutOut, 400: ErrorOut, 403: ErrorOut}, tags=["dashboard"])
def put_layout(request: HttpRequest, data: LayoutIn) -> Any:
    """Arrange the company's dashboard: order and visibility of widgets (Tenant Admin, Manager)."""
    dashboard.arrange_dashboard(request.auth, [w.model_dump() for w in data.widgets])  # type: ignore[attr-defined]
    return 200, {"widgets": dashboard.layout_for(request.auth)}  # type: ignore[attr-defined]
