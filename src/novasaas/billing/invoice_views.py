"""Platform invoices: the tenant's invoice page and PDF, the Master Admin console (tenants with plan,
status and MRR; payments), and the payment gateway's callback."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from novasaas.billing import invoicing, selectors
from novasaas.billing.models import PlatformInvoice, Subscription, SubscriptionStatus
from novasaas.identity.access import require_perm
from novasaas.platform.pdf import PdfUnavailable, render_table
from novasaas.platform.reports import file_response
from novasaas.platform.views import _master_only, platform_staff


def _tenant_invoice(request: HttpRequest, invoice_id: int) -> PlatformInvoice:
    principal = require_perm(request, "core.subscription.view")
    invoice = PlatformInvoice.objects.filter(pk=invoice_id, tenant_id=principal.tenant.pk).first()
    if invoice is None:
        raise Http404
    return invoice


@login_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _tenant_invoice(request, invoice_id)
    return render(
        request,
        "billing/invoice.html",
        {"invoice": invoice, "lines": list(invoice.lines.all()), "seller": invoicing.seller()},
    )


def invoice_pdf_bytes(invoice: PlatformInvoice) -> bytes:
    s = invoicing.seller()
    rows: list[list[Any]] = [[line.description, line.amount] for line in invoice.lines.all()]
    rows += [
        [_("Subtotal"), invoice.subtotal],
        [_("VAT %(r)s%%") % {"r": f"{invoice.vat_rate:g}"}, invoice.vat],
        [_("Total"), invoice.total],
    ]
    subtitle = f"{s['name']} · MST {s['tax_code']} · {s['address']} · {invoice.issued_on:%d/%m/%Y}"
    return render_table(_("Invoice %(n)s") % {"n": invoice.number}, [_("Description"), _("Amount")], rows, subtitle)


@login_required
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _tenant_invoice(request, invoice_id)
    try:
        data = invoice_pdf_bytes(invoice)
    except PdfUnavailable:
        return HttpResponse(_("PDF unavailable (no Unicode font on the server)."), status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


# --- Master Admin console -----------------------------------------------------------------------------


def mrr(sub: Subscription) -> Decimal:
    return selectors.subscription_mrr(sub)


@platform_staff
def console(request: HttpRequest) -> HttpResponse:
    from novasaas.platform.models import Tenant

    subs = list(
        Subscription.objects.select_related("plan", "price")
        .prefetch_related("addons__addon", "addons__price")
        .order_by("tenant_id")
    )
    tenants = {t.pk: t for t in Tenant.objects.filter(pk__in=[s.tenant_id for s in subs])}
    activity = selectors.activity_by_tenant(list(tenants.values()))
    rows: list[dict[str, Any]] = [
        {"tenant": tenants[s.tenant_id], "sub": s, "mrr": mrr(s), **activity[s.tenant_id]} for s in subs
    ]
    total: Decimal = sum((r["mrr"] for r in rows), Decimal(0))
    invoices = list(PlatformInvoice.objects.filter(status="issued").order_by("due_on")[:200])
    for inv in invoices:
        inv.tenant_name = tenants[inv.tenant_id].name if inv.tenant_id in tenants else inv.tenant_id  # type: ignore[attr-defined]
    from novasaas.billing.models import Plan

    paying = [r for r in rows if r["mrr"] > 0]
    history = selectors.mrr_history(timezone.localdate())
    report = selectors.mrr_report(timezone.localdate())
    if request.GET.get("format") in ("xlsx", "pdf"):
        return file_response(
            report, request.GET["format"], unavailable=lambda m: HttpResponse(m, status=503, content_type="text/plain")
        )
    return render(
        request,
        "billing/console.html",
        {
            "rows": rows,
            "mrr": total,
            "arr": total * 12,
            "invoices": invoices,
            "refunds": list(selectors.list_refunds().select_related("tenant")[:50]),
            "plans": list(Plan.objects.filter(is_active=True)),
            "paying": len(paying),
            "arpu": (total / len(paying)).quantize(Decimal(1)) if paying else Decimal(0),
            "trialing": sum(1 for r in rows if r["sub"].status == SubscriptionStatus.TRIALING),
            "conversion": trial_conversion(),
            "revenue": revenue_by_month(timezone.localdate()),
            "history": history,
            "headers": report.headers,
            "num_cols": report.num_cols,
            "report_rows": report.page_rows(),
            "history_chart": {
                "labels": [f"{r['month']:%m/%Y}" for r in history],
                "values": [int(r["mrr"]) for r in history],
                "label": str(_("MRR")),
            },
        },
    )


def trial_conversion() -> int | None:
    """Percent of ended trials whose first invoice is paid (None before any trial ended)."""
    from novasaas.billing.models import SubscriptionEvent

    ended = SubscriptionEvent.objects.filter(kind="renewed", detail__was="trialing")
    total = ended.count()
    if not total:
        return None
    paid = (
        PlatformInvoice.objects.filter(status="paid", tenant_id__in=ended.values("tenant_id"))
        .values("tenant_id")
        .distinct()
        .count()
    )
    return round(100 * paid / total)


def revenue_by_month(today: Any) -> dict[str, Any]:
    """Invoiced revenue (before VAT) of the last 12 months, for the chart."""
    from novasaas.billing.pricing import add_months

    first = add_months(today.replace(day=1), -11)
    sums: dict[Any, Decimal] = {}
    # summed in Python: exact Decimal on every database (a SQL SUM is a float on SQLite)
    for issued_on, subtotal in PlatformInvoice.objects.filter(issued_on__gte=first).values_list(
        "issued_on", "subtotal"
    ):
        month = issued_on.replace(day=1)
        sums[month] = sums.get(month, Decimal(0)) + subtotal
    months = [add_months(first, i) for i in range(12)]
    return {
        "labels": [f"{m:%m/%Y}" for m in months],
        "values": [int(sums.get(m, 0) or 0) for m in months],
        "label": str(_("Invoiced revenue (before VAT)")),
    }


@platform_staff
@require_POST
def manual_action(request: HttpRequest, tenant_id: int) -> HttpResponse:
    from novasaas.billing import console as console_actions
    from novasaas.platform.dates import parse_date
    from novasaas.platform.models import Tenant

    _master_only(request)
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    raw_days = request.POST.get("days", "0").strip()
    try:
        try:
            until = parse_date(request.POST.get("until", ""))
        except ValueError as exc:
            raise ValidationError({"until": [_("Enter a valid date.")]}) from exc
        console_actions.manual_action(
            request.user,
            tenant,
            request.POST.get("action", ""),
            days=int(raw_days) if raw_days.isdigit() and len(raw_days) < 4 else 0,
            plan_code=request.POST.get("plan", ""),
            percent=request.POST.get("percent", "")[:10],
            until=until,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Subscription updated."))
    if request.POST.get("next") == "tenant":
        return redirect("billing-tenant", tenant_id=tenant.pk)
    return redirect("billing-console")


@platform_staff
def tenant_detail(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """A tenant seen by the Master Admin: subscription and its history, invoices, users, storage, last
    activity, features, and the manual actions."""
    from novasaas.billing.models import Plan
    from novasaas.platform.models import Tenant

    tenant = get_object_or_404(Tenant, pk=tenant_id)
    context = selectors.tenant_detail(tenant)
    context.update(
        tenant=tenant,
        company=tenant,
        plans=list(Plan.objects.filter(is_active=True)),
        can_edit=getattr(request.user, "is_master_admin", False),
    )
    return render(request, "billing/tenant_detail.html", context)


@platform_staff
@require_POST
def record_payment(request: HttpRequest, invoice_id: int) -> HttpResponse:
    _master_only(request)
    get_object_or_404(PlatformInvoice, pk=invoice_id)
    try:
        invoicing.record_payment(
            invoice_id,
            amount=request.POST.get("amount", ""),
            reference=request.POST.get("reference", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Payment recorded."))
    return redirect("billing-console")


@method_decorator(csrf_exempt, name="dispatch")
class GatewayCallbackView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        """The payment provider's server-to-server callback: HMAC-signed body, idempotent."""
        try:
            payment = invoicing.handle_callback(request.body, request.headers.get("X-Signature", ""))
        except invoicing.GatewayError as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        except ValidationError as exc:
            return JsonResponse({"detail": exc.messages}, status=400)
        return JsonResponse({"recorded": payment is not None})


# --- refunds (credit notes) ----------------------------------------------------------------------------


def _pdf_response(refund: Any) -> HttpResponse:
    from novasaas.billing.refunds import refund_pdf_bytes

    try:
        data = refund_pdf_bytes(refund)
    except PdfUnavailable:
        return HttpResponse(_("PDF unavailable (no Unicode font on the server)."), status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{refund.number}.pdf"'
    return response


@login_required
def refund_pdf(request: HttpRequest, refund_id: int) -> HttpResponse:
    """The tenant's refund credit note (another tenant's is a 404)."""
    principal = require_perm(request, "core.subscription.view")
    refund = selectors.list_refunds(principal.tenant).filter(pk=refund_id).first()
    if refund is None:
        raise Http404
    return _pdf_response(refund)


@platform_staff
def platform_refund_pdf(request: HttpRequest, refund_id: int) -> HttpResponse:
    return _pdf_response(get_object_or_404(selectors.list_refunds(), pk=refund_id))


@platform_staff
@require_POST
def refund(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Master Admin refunds (part of) a paid invoice from the tenant page: through the payment gateway, or
    records a refund sent by bank transfer (method ``bank`` with the bank's reference)."""
    from novasaas.billing.refunds import refund_invoice

    _master_only(request)
    invoice = get_object_or_404(PlatformInvoice, pk=invoice_id)
    try:
        done = refund_invoice(
            request.user,
            invoice_id,
            amount=request.POST.get("amount", "").strip()[:20],
            reason=request.POST.get("reason", ""),
            method=request.POST.get("method", "gateway")[:10],
            reference=request.POST.get("reference", "")[:100],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Refund %(n)s issued.") % {"n": done.number})
    return redirect("billing-tenant", tenant_id=invoice.tenant_id)
