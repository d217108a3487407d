"""Domain events published by HRM (spec §4, §11.3 HRM → ACC)."""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PayrollApproved(DomainEvent):
    """Accounting (HRM subscriber, module ACC): post the month's salary, insurance and PIT entries
    (``payroll.posting_documents``) dated ``date`` (the month's last day)."""

    period_id: int
    date: str
    reference: str
    actor_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PayslipMailed(DomainEvent):
    """After commit (module HRM): email the payslip ``line_id`` as a PDF to ``to``
    (``payslips.email_payslip``)."""

    line_id: int
    to: str
    locale: str = "vi"


@dataclass(frozen=True, kw_only=True)
class PayrollPaid(DomainEvent):
    """Accounting (HRM subscriber, module ACC): post the salary payment Dr 334 / Cr ``account`` (a role
    or an account code) dated ``date`` in journal ``journal`` (``payroll.payment_documents``)."""

    period_id: int
    date: str
    account: str
    journal: str
    reference: str
    actor_id: int | None = None
    payment_id: int | None = None  # the SalaryPayment posted (None: the whole month's net)


@dataclass(frozen=True, kw_only=True)
class PayrollUnapproved(DomainEvent):
    """Accounting (HRM subscriber, module ACC): reverse the accrual entries posted for approval number
    ``revision`` of the month, dated ``date``."""

    period_id: int
    revision: int
    date: str
    reason: str
    actor_id: int | None = None
