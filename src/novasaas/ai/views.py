"""AI pages: the assistant (chat with streamed answers) and the token-management page (Tenant Admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from novasaas.ai import budgets, chat, credits, forms, keys, knowledge, plan, reports, selectors
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.reports import file_response
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.transactions import atomic

MANAGE = "core.ai.manage"


class AiView(LoginRequiredMixin, View):
    permission = "core.ai.chat"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.principal = require_perm(request, self.permission)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, msgs in exc.message_dict.items():
            for msg in msgs:
                form.add_error(key if key in form.fields else None, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


# --- chat ------------------------------------------------------------------------------------------


class ChatView(AiView):
    def get(self, request: HttpRequest, pk: int | None = None, form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        conversation = chat.get_conversation(p, pk) if pk else None
        models = chat.offered_models()
        initial = {"model": conversation.model if conversation else (models[0] if models else "")}
        # the plan's AI tier: no form without chat; the options above the tier are not offered
        not_in_plan = {use: plan.refusal(p.tenant, use) for use in ("chat", "rag", "functions")}
        form = form or forms.ChatForm(initial=initial, models=models)
        if not_in_plan["functions"]:
            form.fields.pop("use_tools", None)
        if not_in_plan["rag"]:
            form.fields.pop("use_documents", None)
        context = {
            "conversations": selectors.conversations(p)[:50],
            "conversation": conversation,
            "chat_messages": list(conversation.messages.all()) if conversation else [],
            "pending": chat.pending_question(conversation) if conversation else None,
            "form": form,
            "chat_not_in_plan": not_in_plan["chat"],
            "tools_not_in_plan": not_in_plan["functions"],
            "documents_not_in_plan": not_in_plan["rag"],
            "can_use_tools": p.has("core.ai.functions"),
            "can_use_documents": p.has("core.ai.rag"),
        }
        return render(request, "ai/chat.html", context, status=status)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = forms.ChatForm(request.POST, models=chat.offered_models())
        if form.is_valid():
            try:
                conversation = chat.post_question(
                    self.principal,
                    conversation_id=pk,
                    model=form.cleaned_data["model"],
                    text=form.cleaned_data["text"],
                    use_tools=form.cleaned_data["use_tools"],
                    use_documents=form.cleaned_data["use_documents"],
                )
                return redirect("ai-conversation", pk=conversation.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class AnswerView(AiView):
    """POST: stream the answer to the conversation's pending question (text/event-stream). Runs outside the
    request transaction (registered in urls.py), like the API gateway."""

    def post(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        events = chat.answer(self.principal, pk)
        response = StreamingHttpResponse(chat.sse(events), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return super().dispatch(request, *args, **kwargs)
        # only the permission check and the lookup run here (the stream opens its own steps); the
        # savepoint-capable block outermost, so that a 404 leaves no transaction in a failed state
        with transaction.atomic(), tenant_context(tenant, savepoint=False):
            return super().dispatch(request, *args, **kwargs)


# --- token management (Tenant Admin) ----------------------------------------------------------------


class TokensView(AiView):
    permission = MANAGE

    def get(self, request: HttpRequest) -> HttpResponse:
        return _tokens_page(self.principal, request)


def _tokens_page(p: Principal, request: HttpRequest, **forms_: Any) -> HttpResponse:
    from novasaas.identity.models import Membership

    members = [(m.user_id, m.user.email) for m in Membership.objects.select_related("user").order_by("user__email")]
    wallet = selectors.wallet(p)
    context = {
        "keys": selectors.list_keys(),
        "wallet": wallet,
        "ledger": selectors.ledger()[:50],
        "usage": selectors.usage()[:50],
        "by_model": selectors.usage_summary("model"),
        "by_user": selectors.usage_summary("user"),
        "by_feature": selectors.usage_summary("feature"),
        "by_day": selectors.usage_summary("day")[-31:],
        "budgets": selectors.list_budgets(),
        "rates": selectors.rates(),
        "packs": selectors.packs(),
        "key_form": forms_.get("key_form") or forms.KeyForm(),
        "budget_form": forms_.get("budget_form") or forms.BudgetForm(members=members),
        "wallet_form": forms_.get("wallet_form")
        or forms.WalletForm(
            initial={
                k: wallet[k] for k in ("allow_shared", "rollover_days", "topup_threshold", "topup_pack", "byok_plan")
            },
            packs=_pack_choices(),
        ),
        "vnd_per_credit": credits.VND_PER_CREDIT,
    }
    return render(request, "ai/tokens.html", context, status=forms_.get("status", 200))


class TokensActionView(AiView):
    """POST-only forms of the token page (no GET: they are not pages)."""

    permission = MANAGE


class KeyAddView(TokensActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.KeyForm(request.POST)
        if form.is_valid():
            try:
                key = keys.add_key(self.principal, **form.cleaned_data)
                messages.success(request, _("Key %(k)s added.") % {"k": str(key)})
                return redirect("ai-tokens")
            except ValidationError as exc:
                _attach(form, exc)
        return _tokens_page(self.principal, request, key_form=form, status=400)


class KeyRevokeView(TokensActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            key = keys.revoke_key(self.principal, pk)
            messages.success(request, _("Key %(k)s revoked.") % {"k": str(key)})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("ai-tokens")


class BudgetSaveView(TokensActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.identity.models import Membership

        members = [(m.user_id, m.user.email) for m in Membership.objects.select_related("user")]
        form = forms.BudgetForm(request.POST, members=members)
        if form.is_valid():
            try:
                budgets.save_budget(self.principal, **form.cleaned_data)
                messages.success(request, _("Budget saved."))
                return redirect("ai-tokens")
            except ValidationError as exc:
                _attach(form, exc)
        return _tokens_page(self.principal, request, budget_form=form, status=400)


def _pack_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.credits:,})") for p in selectors.packs()]


class WalletSaveView(TokensActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.WalletForm(request.POST, packs=_pack_choices())
        if form.is_valid():
            try:
                with atomic():
                    credits.save_wallet_settings(self.principal, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("ai-tokens")
            except ValidationError as exc:
                _attach(form, exc)
        return _tokens_page(self.principal, request, wallet_form=form, status=400)


class PackBuyView(TokensActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            with atomic():
                entry = credits.buy_pack(self.principal, request.POST.get("pack", "")[:40])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _tokens_page(self.principal, request, status=400)
        messages.success(
            request,
            _("%(credits)s credits added; invoice %(n)s issued (Subscription page).")
            % {"credits": f"{entry.credits:,}", "n": getattr(entry, "invoice_number", "")},
        )
        return redirect("ai-tokens")


# --- knowledge files (RAG) ---------------------------------------------------------------------------


class KnowledgeView(AiView):
    permission = "core.ai.upload"

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "files": knowledge.list_files(),
            "form": form or forms.KnowledgeUploadForm(),
            "not_in_plan": plan.refusal(self.principal.tenant, "rag"),
        }
        return render(request, "ai/knowledge.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.KnowledgeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with atomic():
                    kfile = knowledge.upload(
                        self.principal,
                        filename=upload.name,
                        data=upload.read(knowledge.MAX_FILE_BYTES + 1),
                        title=form.cleaned_data["title"],
                    )
                messages.success(request, _("%(t)s added to the assistant's knowledge.") % {"t": kfile.title})
                return redirect("ai-knowledge")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class KnowledgeDeleteView(AiView):
    permission = "core.ai.upload"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        knowledge.delete(self.principal, pk)
        messages.success(request, _("Knowledge file deleted."))
        return redirect("ai-knowledge")


# --- usage report -----------------------------------------------------------------------------------------


class UsageReportView(AiView):
    """The monthly usage report (Tenant Admin): table, chart of credits per day, Excel and PDF."""

    permission = MANAGE

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            month = reports.parse_month(request.GET.get("month"))
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        by = request.GET.get("by") or "day"
        if by not in reports.GROUPINGS:
            return HttpResponse(
                _("Group by day, member or feature."), status=400, content_type="text/plain; charset=utf-8"
            )
        daily = reports.usage_report(month)
        report = reports.grouped_report(month, by) if by != "day" else daily
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            return file_response(
                report,
                fmt,
                unavailable=lambda text: HttpResponse(text, status=503, content_type="text/plain; charset=utf-8"),
            )
        base = f"?month={month:%Y-%m}&by={by}&"
        context = {
            "report": report,
            "rows": report.page_rows(),
            "totals": report.page_totals(),
            "month": f"{month:%Y-%m}",
            "by": by,
            "groupings": [("day", _("Day, model and payer")), ("member", _("Member")), ("feature", _("Feature"))],
            "chart": reports.daily_credits(daily, month),
            "exports": [(base + "format=xlsx", _("Export Excel")), (base + "format=pdf", _("Export PDF"))],
        }
        return render(request, "ai/usage_report.html", context)
