"""Payslips of an approved month: the PDF and its email to each employee.

``email_payslips`` (HR Manager, ``hrm.payroll.approve``) publishes one ``PayslipMailed`` per employee
with an email address (the employee record's, else their user account's) and records the sending in the
audit trail; the outbox handler ``email_payslip`` sends each email once after commit (Message-ID from
the outbox message, an ``EffectMarker`` once the server accepted it) and stamps the line.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from novasaas.hrm import events, reports, selectors
from novasaas.hrm.models import PayrollLine, PayrollPeriod, PayrollStatus
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import message_key, publish, subscriber
from novasaas.platform.models import EffectMarker
from novasaas.platform.tenancy import current_tenant


def payslip_pdf(line: PayrollLine) -> bytes:
    """The payslip as a PDF (``PdfUnavailable`` without a Unicode font)."""
    from novasaas.platform.money import format_amount
    from novasaas.platform.pdf import render_table

    rows = [[label, format_amount(amount)] for label, amount in reports.payslip_rows(line)]
    title = _("Payslip %(p)s") % {"p": line.period}
    subtitle = f"{line.employee.code} {line.employee.full_name} — {line.department.name}"
    return render_table(title, [_("Item"), _("Amount (VND)")], rows, subtitle)


def payslip_filename(line: PayrollLine) -> str:
    return f"phieu-luong-{line.period.year}-{line.period.month:02d}.pdf"


def _address(line: PayrollLine) -> str:
    if line.employee.email:
        return str(line.employee.email)
    user = line.employee.user
    return str(user.email) if user is not None and user.email else ""


@transaction.atomic
def email_payslips(p: Principal, period_id: int) -> dict[str, Any]:
    """Queue each employee's payslip email of an approved month. Employees without an address are
    listed in ``skipped``; sending again sends again (a second copy)."""
    p.require("hrm.payroll.approve")
    from novasaas.platform.pdf import font_path

    period = PayrollPeriod.objects.select_for_update().get(tenant=p.tenant, pk=period_id)
    if period.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Approve the payroll before sending the payslips."))
    if font_path() is None:
        raise ValidationError(_("The PDF cannot be printed on this server (no Unicode font)."))
    queued: list[str] = []
    skipped: list[str] = []
    locale = translation.get_language() or "vi"
    for line in selectors.period_lines(period).select_related("employee__user"):
        to = _address(line)
        if not to:
            skipped.append(line.employee.code)
            continue
        publish(events.PayslipMailed(tenant_id=p.tenant.pk, line_id=line.pk, to=to, locale=locale))
        queued.append(line.employee.code)
    audit.record(
        "update",
        actor=p.user,
        obj=period,
        message=f"payslips emailed: {len(queued)} ({', '.join(queued)[:400]}); no address: {', '.join(skipped)[:200]}",
    )
    return {"queued": len(queued), "skipped": skipped}


@subscriber(events.PayslipMailed, module="HRM", after_commit=True)
def email_payslip(event: events.PayslipMailed, message_id: int | None = None) -> None:
    """Outbox handler: email one payslip PDF once per outbox message."""
    from novasaas.platform.notifications import email_message_id

    key = f"email:{message_key(message_id, event.to)}"[:300] if message_id is not None else ""
    if key and EffectMarker.objects.filter(key=key).exists():
        return
    line = PayrollLine.objects.select_related("period", "employee", "department", "tenant").get(pk=event.line_id)
    with translation.override(event.locale or "vi"):
        subject = _("Payslip %(p)s — %(c)s") % {"p": line.period, "c": line.tenant.name}
        body = _("Dear %(n)s,\n\nPlease find attached your payslip of %(p)s. Net pay: %(a)s VND.") % {
            "n": line.employee.full_name,
            "p": line.period,
            "a": f"{line.net:,.0f}".replace(",", "."),
        }
        content = payslip_pdf(line)
    headers = {"Message-ID": email_message_id(message_id)} if message_id is not None else {}
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [event.to], headers=headers)
    message.attach(payslip_filename(line), content, "application/pdf")
    message.send()
    PayrollLine.objects.filter(pk=line.pk).update(emailed_to=event.to[:254], emailed_at=timezone.now())
    if key:
        EffectMarker.objects.create(tenant=current_tenant(), key=key)
