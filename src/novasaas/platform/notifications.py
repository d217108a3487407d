"""Notifications (spec §3.1.5): in-app messages per member, with email per the member's preferences.

Modules call ``notify(tenant, users_or_permission, kind, title, body, url)``. Each recipient gets a
``Notification`` row (the bell, the list, the dashboard alerts) unless they switched the kind off in
the app, and an email when they asked for it. Emails leave through the outbox after commit, so a
rolled-back action never sends one. The company may switch email or in-app notifications off for
everyone (``Tenant.notification_settings``, spec §3.1.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.platform.events import message_key
from novasaas.platform.models import EffectMarker, Notification, NotificationPreference, OutboxMessage, Tenant
from novasaas.platform.tenancy import current_tenant, tenant_context

EMAIL_HANDLER = "novasaas.platform.notifications.deliver_email"
EMAIL_EVENT = "platform.NotificationEmail"


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Any
    email_default: bool = False


KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> None:
    """Modules register the kinds they send, so members can choose how to receive them."""
    KINDS[kind.code] = kind


register_kind(NotificationKind("system", gettext_lazy("System alerts"), email_default=True))
register_kind(NotificationKind("security", gettext_lazy("Security"), email_default=True))
register_kind(NotificationKind("users", gettext_lazy("Users and invitations")))
register_kind(NotificationKind("approvals", gettext_lazy("Approvals"), email_default=True))


def company_settings(tenant: Tenant) -> dict[str, bool]:
    """The company-wide switches: email and in-app notifications (both on by default)."""
    raw = tenant.notification_settings or {}
    return {"email": bool(raw.get("email", True)), "in_app": bool(raw.get("in_app", True))}


def _recipients(tenant: Tenant, users_or_permission: str | Iterable[Any]) -> list[Any]:
    """Active members of ``tenant``: those given (others are dropped) or those holding a permission."""
    from novasaas.identity.catalogue import PERMISSIONS_BY_CODE
    from novasaas.identity.models import Membership, User

    members = Membership.objects.filter(is_active=True, user__is_active=True)
    if isinstance(users_or_permission, str):
        code = users_or_permission
        if code not in PERMISSIONS_BY_CODE:
            raise KeyError(f"unknown permission {code}")
        if not tenant.has_module(PERMISSIONS_BY_CODE[code].module):
            return []
        from novasaas.identity.grants import role_ids_holding

        members = members.filter(role_links__role_id__in=role_ids_holding(code))
    else:
        ids = [getattr(u, "pk", u) for u in users_or_permission]
        members = members.filter(user_id__in=ids)
    user_ids = set(members.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=user_ids).order_by("pk"))


def preference(
    user: Any, kind: str, prefs: dict[tuple[int, str], NotificationPreference] | None = None
) -> tuple[bool, bool]:
    """(in_app, email) for ``user`` and ``kind``: their saved choice, else the kind's default."""
    pref = (
        (prefs or {}).get((user.pk, kind))
        if prefs is not None
        else (NotificationPreference.objects.filter(user=user, kind=kind).first())
    )
    if pref is not None:
        return pref.in_app, pref.email
    spec = KINDS.get(kind)
    return True, bool(spec and spec.email_default)


@transaction.atomic
def notify(
    tenant: Tenant,
    users_or_permission: str | Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
) -> list[Notification]:
    """Notify members of ``tenant`` (a list of users, or everyone holding a permission code).

    Guarantees: only active members of the tenant are notified; in-app rows and emails follow each
    recipient's preference for ``kind`` and the company's switches; emails are queued in the outbox in
    this transaction and sent only after it commits. Returns the in-app notifications created.
    """
    if kind not in KINDS:
        raise ValidationError(_("Unknown notification kind: %(kind)s") % {"kind": kind})
    with tenant_context(tenant):
        users = _recipients(tenant, users_or_permission)
        switches = company_settings(tenant)
        prefs = {
            (p.user_id, p.kind): p
            for p in NotificationPreference.objects.filter(kind=kind, user__in=[u.pk for u in users])
        }
        created: list[Notification] = []
        queued = False
        for user in users:
            in_app, email = preference(user, kind, prefs)
            if in_app and switches["in_app"]:
                created.append(
                    Notification(tenant=tenant, recipient=user, kind=kind, title=title[:200], body=body, url=url[:500])
                )
            if email and switches["email"]:
                OutboxMessage.objects.create(
                    event=EMAIL_EVENT,
                    handler=EMAIL_HANDLER,
                    payload={
                        "tenant_id": tenant.pk,
                        "to": user.email,
                        "subject": title[:200],
                        "body": body,
                        "url": url,
                        "locale": user.locale or tenant.locale,
                    },
                )
                queued = True
        Notification.objects.bulk_create(created)
    if queued:
        from novasaas.platform.events import _enqueue_delivery

        transaction.on_commit(_enqueue_delivery)
    return created


def deliver_email(payload: dict[str, Any], message_id: int | None = None) -> None:
    """Outbox handler: send one notification email (retried by the outbox when the mail server fails).

    Idempotent in effect: the Message-ID derives from the outbox message, so a copy sent again after
    a crash between the server's acceptance and the commit is collapsed by mail servers and clients;
    and an ``EffectMarker`` written as soon as the server accepted it (it commits with this handler's
    transaction, before the outbox row is marked done) stops any later redelivery from sending it."""
    recipient = payload["to"]
    key = f"email:{message_key(message_id, recipient)}" if message_id is not None else ""
    if key and EffectMarker.objects.filter(key=key[:300]).exists():
        return
    link = payload.get("url") or ""
    if link.startswith("/"):
        link = settings.PUBLIC_BASE_URL.rstrip("/") + link
    with translation.override(payload.get("locale") or "vi"):
        text = payload.get("body") or ""
        if link:
            text = f"{text}\n\n{_('Open')}: {link}".strip()
        headers = {"Message-ID": email_message_id(message_id)} if message_id is not None else {}
        EmailMessage(
            f"[NovaSaaS] {payload['subject']}", text, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers
        ).send()
    if key:
        EffectMarker.objects.create(tenant=current_tenant(), key=key[:300])


def email_message_id(message_id: int) -> str:
    """``<outbox-42@novasaas.example.vn>``: the same for every delivery attempt of one outbox message."""
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "novasaas.localhost"
    return f"<{message_key(message_id)}@{domain}>"


# --- the member's side -----------------------------------------------------------------------------


def withdraw(tenant: Tenant, kind: str, url: str) -> int:
    """Mark every member's unread ``kind`` notifications about ``url`` read: the state they announced
    changed (a newer alert replaces them, or the condition ended). Returns how many were withdrawn."""
    with tenant_context(tenant):
        return int(
            Notification.objects.filter(tenant=tenant, kind=kind, url=url[:500], read_at__isnull=True).update(
                read_at=timezone.now()
            )
        )


def list_for(user: Any, *, unread_only: bool = False) -> Any:
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: Any) -> int:
    return int(Notification.objects.filter(recipient=user, read_at__isnull=True).count())


def mark_read(user: Any, notification: Notification) -> Notification:
    """Mark one of ``user``'s notifications read (callers look it up with ``recipient=user``)."""
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: Any) -> int:
    return int(Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now()))


def preferences_for(user: Any) -> list[dict[str, Any]]:
    saved = {(p.user_id, p.kind): p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in KINDS.values():
        in_app, email = preference(user, kind.code, saved)
        rows.append({"kind": kind.code, "label": str(kind.label), "in_app": in_app, "email": email})
    return rows


@transaction.atomic
def set_preferences(user: Any, choices: dict[str, dict[str, bool]]) -> list[dict[str, Any]]:
    """Save ``{kind: {"in_app": bool, "email": bool}}`` for ``user`` in the current tenant."""
    unknown = sorted(set(choices) - set(KINDS))
    if unknown:
        raise ValidationError(_("Unknown notification kind: %(kind)s") % {"kind": ", ".join(unknown)})
    for kind, choice in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={"in_app": bool(choice.get("in_app", True)), "email": bool(choice.get("email", False))},
        )
    return preferences_for(user)
