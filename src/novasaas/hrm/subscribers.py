"""HRM's integration with Accounting (spec §11.3 HRM → ACC): an approved payroll month is posted.

The handler subscribes with module ACC, so it runs only for tenants that have Accounting, in the
approval's transaction: a refusal there (closed period, an account missing from the chart) refuses the
approval with nothing changed. Entries go through ``accounting.posting.post_source_documents``
(idempotent per source document), one per chunk of employees (an entry holds at most 500 lines).
"""

from __future__ import annotations

from novasaas.hrm.events import PayrollApproved
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


def payroll_entries(tenant: object, period_id: int) -> list[object]:
    """The ledger entries posted for a payroll month (empty without ACC)."""
    from novasaas.accounting import selectors as accounting
    from novasaas.hrm.models import PayrollLine

    chunks = max(1, -(-PayrollLine.objects.filter(period_id=period_id).count() // 200))
    out: list[object] = []
    for k in range(chunks):
        out.extend(accounting.entries_for_source(tenant, f"hrm.payroll.{k}", period_id))  # type: ignore[arg-type]
    return out
