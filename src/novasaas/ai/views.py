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

from novasaas.ai import budgets, chat, credits, forms, keys, selectors
from novasaas.ai.models import Wallet
from novasaas.identity.access import Principal, require_perm
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
        context = {
            "conversations": selectors.conversations(p)[:50],
            "conversation": conversation,
            "chat_messages": list(conversation.messages.all()) if conversation else [],
            "pending": chat.pending_question(conversation) if conversation else None,
            "form": form or forms.ChatForm(initial=initial, models=models),
            "can_use_tools": p.has("core.ai.functions"),
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
        with transaction.atomic(), tenant_context(tenant):
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
        "wallet_form": forms.WalletForm(initial={"allow_shared": wallet["allow_shared"]}),
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


class WalletSaveView(TokensActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.WalletForm(request.POST)
        form.is_valid()
        with atomic():
            wallet = Wallet.objects.filter(tenant=self.principal.tenant).first() or Wallet(tenant=self.principal.tenant)
            wallet.allow_shared = bool(form.cleaned_data.get("allow_shared"))
            wallet.save()
        messages.success(request, _("Saved."))
        return redirect("ai-tokens")
