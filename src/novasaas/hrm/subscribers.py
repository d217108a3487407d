"""HRM's integration with Accounting (spec §11.3 HRM → ACC): an approved payroll month is posted.

The handler subscribes with module ACC, so it runs only for tenants that have Accounting, in the
approval's transaction: a refusal there (closed period, an account missing from the chart) refuses the
approval with nothing changed. Entries go through ``accounting.posting.post_source_documents``
(idempotent per source document), one per chunk of employees (an entry holds at most 500 lines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from novasaas.hrm.events import PayrollApproved, PayrollPaid, PayrollUnapproved
from novasaas.identity.access import Principal
from novasaas.platform.events import subscriber
from novasaas.platform.tenancy import current_tenant


@subscriber(PayrollApproved, module="ACC")
def post_payroll(event: PayrollApproved) -> None:
    from novasaas.accounting.posting import SourceDocument, post_source_documents
    from novasaas.hrm import payroll, selectors

    tenant = current_tenant()
    period = selectors.get_period(tenant, event.period_id)
    documents = [
        SourceDocument(source_type, period.pk, event.date, lines, memo=str(period), reference=event.reference)
        for source_type, lines in payroll.posting_documents(period)
    ]
    post_source_documents(tenant, documents)


def _payment(payment_id: int | None) -> Any:
    from novasaas.hrm.models import SalaryPayment

    return None if payment_id is None else SalaryPayment.objects.get(pk=payment_id)


@subscriber(PayrollPaid, module="ACC")
def post_payroll_payment(event: PayrollPaid) -> None:
    from novasaas.accounting.posting import SourceDocument, post_source_documents
    from novasaas.hrm import payroll, selectors

    tenant = current_tenant()
    period = selectors.get_period(tenant, event.period_id)
    documents = [
        SourceDocument(
            source_type,
            period.pk,
            event.date,
            lines,
            memo=str(period),
            reference=event.reference,
            journal=event.journal,
        )
        for source_type, lines in payroll.payment_documents(period, event.account, _payment(event.payment_id))
    ]
    post_source_documents(tenant, documents, actor=_actor(event.actor_id))


@subscriber(PayrollUnapproved, module="ACC")
def reverse_payroll(event: PayrollUnapproved) -> None:
    """Reverse each accrual entry of the approval being undone through accounting's reversal (the entry's
    mirror image, linked to it), with the right delegated to this one step."""
    from django.utils.translation import gettext as _

    from novasaas.accounting import actions as accounting
    from novasaas.accounting import selectors as ledger
    from novasaas.hrm import payroll, selectors

    tenant = current_tenant()
    period = selectors.get_period(tenant, event.period_id)
    delegate = Principal(
        tenant=tenant,
        user=_actor(event.actor_id),
        membership=None,
        permissions=frozenset({"acc.entry.reverse"}),
        via="hrm",
    )
    day = dt.date.fromisoformat(event.date)
    memo = _("Payroll %(p)s returned to draft: %(r)s") % {"p": period, "r": event.reason}
    for k in range(payroll.chunks(period)):
        for entry in ledger.entries_for_source(tenant, payroll.accrual_source(period, k, event.revision), period.pk):
            if entry.reversal_of_id is None:
                accounting.reverse_entry(delegate, entry.pk, date=day, memo=memo)


def _actor(user_id: int | None) -> Any:
    if not user_id:
        return None
    from novasaas.identity.models import User
    from novasaas.platform.tenancy import platform_context

    with platform_context():
        return User.objects.filter(pk=user_id).first()


def payroll_entries(tenant: object, period_id: int) -> list[object]:
    """The ledger entries posted for a payroll month (empty without ACC): every approval's accrual, the
    reversals of the approvals undone, and the payments."""
    from novasaas.accounting import selectors as accounting
    from novasaas.hrm import payroll
    from novasaas.hrm.models import PayrollPeriod

    period = PayrollPeriod.objects.get(tenant=tenant, pk=period_id)  # type: ignore[misc]
    out: list[object] = []
    for k in range(payroll.chunks(period)):
        for rev in range(period.revision + 1):
            for entry in accounting.entries_for_source(tenant, payroll.accrual_source(period, k, rev), period_id):  # type: ignore[arg-type]
                out.append(entry)
                out.extend(accounting.reversals_of(tenant, entry.pk))  # type: ignore[arg-type]
    payments = max(period.payments.count(), 1)  # each salary payment posted its own entries
    for number in range(1, payments + 1):
        for k in range(payroll.chunks(period)):
            out.extend(accounting.entries_for_source(tenant, payroll.payment_source(k, number), period_id))  # type: ignore[arg-type]
    return out
