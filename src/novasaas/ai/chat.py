"""The assistant: conversations per member, questions, and answers streamed through the metered gateway
(with function-calling tools when the member asks for them and holds ``core.ai.functions``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from novasaas.ai import gateway, knowledge, plan, tools
from novasaas.ai.models import ChatMessage, Conversation, ModelRate, ProviderKey
from novasaas.identity.access import Principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.transactions import atomic

HISTORY = 20  # messages of the conversation sent with a question
MAX_ANSWER_TOKENS = 1024


def offered_models() -> list[str]:
    """Models with a credit rate, and any other model the company's own keys could serve is typed in the API."""
    return list(ModelRate.objects.filter(is_active=True).values_list("model", flat=True))


def get_conversation(principal: Principal, pk: int) -> Conversation:
    """A conversation of the asking member only (another member's or company's is DoesNotExist → 404)."""
    return Conversation.objects.get(pk=pk, user=principal.user)


def post_question(
    principal: Principal,
    *,
    conversation_id: int | None,
    model: str,
    text: str,
    use_tools: bool = False,
    use_documents: bool = False,
) -> Conversation:
    principal.require("core.ai.chat")
    plan.require(principal.tenant, "chat")  # the plan's AI tier (403 with the upgrade hint)
    if use_tools:
        principal.require("core.ai.functions")
        plan.require(principal.tenant, "functions")
    if use_documents:
        principal.require("core.ai.rag")
        plan.require(principal.tenant, "rag")
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a question.")]})
    if model not in offered_models() and not ProviderKey.objects.filter(status="active").exists():
        raise ValidationError({"model": [_("This model is not available.")]})
    with atomic():
        if conversation_id:
            conversation = get_conversation(principal, conversation_id)
        else:
            conversation = Conversation.objects.create(user=principal.user, title=text[:80], model=model)  # type: ignore[misc]
        if conversation.model != model:
            conversation.model = model
            conversation.save(update_fields=["model"])
        ChatMessage.objects.create(
            conversation=conversation, role="user", content=text, use_tools=use_tools, use_documents=use_documents
        )
    return conversation


def pending_question(conversation: Conversation) -> ChatMessage | None:
    last = conversation.messages.order_by("-pk").first()
    return last if last is not None and last.role == "user" else None


def _history(conversation: Conversation, principal: Principal) -> list[dict[str, Any]]:
    system = _("You are the NovaSaaS assistant of %(company)s. Answer briefly, in the language of the question.") % {
        "company": principal.tenant.name
    }
    recent = list(conversation.messages.order_by("-pk")[:HISTORY])[::-1]
    return [{"role": "system", "content": system}] + [{"role": m.role, "content": m.content} for m in recent]


def answer(principal: Principal, conversation_id: int) -> Iterator[dict[str, Any]]:
    """Events for the page: ``{"delta": text}``…, then ``{"done": true}`` or ``{"error": message}``. Runs
    outside the request transaction: each database step opens its own (the gateway's rule)."""
    with tenant_context(principal.tenant):
        conversation = get_conversation(principal, conversation_id)
        question = pending_question(conversation)
        if question is None:
            return iter([{"done": True}])
        messages = _history(conversation, principal)
        offered = tools.schemas(principal) if question.use_tools else []
        sources: list[knowledge.Source] = []
        if question.use_documents and principal.has("core.ai.rag"):
            sources = knowledge.retrieve(principal, question.content)
            messages = [messages[0], knowledge.context_message(sources), *messages[1:]]
    return _answer(principal, conversation, question, messages, offered, sources)


def _answer(
    principal: Principal,
    conversation: Conversation,
    question: ChatMessage,
    messages: list[dict[str, Any]],
    offered: list[dict[str, Any]],
    sources: list[knowledge.Source] | None = None,
) -> Iterator[dict[str, Any]]:
    produced: list[str] = []
    usage = None
    cited = [s.as_dict() for s in sources or []]
    try:
        if question.use_documents:
            yield {"sources": cited}
        if offered:
            prepared = gateway.prepare(
                principal,
                model=conversation.model,
                messages=messages,
                feature="functions",
                max_tokens=MAX_ANSWER_TOKENS,
                options={"tools": offered},
            )
            reply = gateway.complete(prepared)["choices"][0]["message"]
            calls = reply.get("tool_calls") or []
            if not calls:
                produced.append(reply.get("content") or "")
                usage = prepared.usage
                yield {"delta": produced[-1]}
                yield {"done": True}
                return
            messages = [*messages, {"role": "assistant", "content": None, "tool_calls": calls}]
            for c in calls:
                result = tools.call(principal, c["function"]["name"], c["function"].get("arguments", "{}"))
                messages.append({"role": "tool", "tool_call_id": c["id"], "content": result})
                yield {"tool": c["function"]["name"]}
        prepared = gateway.prepare(
            principal,
            model=conversation.model,
            messages=messages,
            feature="functions" if offered else ("rag" if question.use_documents else "chat"),
            max_tokens=MAX_ANSWER_TOKENS,
        )
        usage = prepared.usage
        for chunk in gateway.start_stream(prepared):
            for choice in chunk.get("choices") or []:
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    produced.append(text)
                    yield {"delta": text}
        yield {"done": True}
    except (gateway.GatewayError, PermissionDenied) as exc:  # refused (credits, budget, plan tier changed)
        yield {"error": str(exc)}
    finally:
        if produced:
            with tenant_context(principal.tenant):
                ChatMessage.objects.create(
                    conversation=conversation,
                    role="assistant",
                    content="".join(produced),
                    usage=usage,
                    sources=cited or None,
                )


def sse(events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for event in events:
        yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
