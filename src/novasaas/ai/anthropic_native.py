"""Anthropic's native Messages API (``POST /v1/messages``, ``x-api-key``, ``anthropic-version``) through the
official ``anthropic`` SDK, translated to and from the OpenAI shapes the gateway meters.

Request: system messages become the ``system`` field, ``tool_calls``/``tool`` messages become
``tool_use``/``tool_result`` content blocks, OpenAI ``tools`` become ``input_schema`` tools, ``stop`` becomes
``stop_sequences``. Response: the text blocks become the message content, ``tool_use`` blocks become
``tool_calls``, and ``usage.input_tokens``/``output_tokens`` become ``prompt_tokens``/``completion_tokens``.
Streaming reads the SSE events ``message_start`` (input tokens), ``content_block_delta`` (text),
``content_block_start`` of a ``tool_use`` block and its ``input_json_delta`` pieces (OpenAI ``tool_calls``
deltas: id and name first, then the arguments' JSON text piece by piece), ``message_delta`` (output
tokens, stop reason) and ends with one chunk carrying the usage, as an OpenAI
stream with ``include_usage`` does; a stream that breaks before ``message_delta`` has no usage and the
gateway settles it on what was produced.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import anthropic

STOP = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}


def native_base(url: str) -> str:
    """The SDK appends ``/v1/messages`` itself: the configured base URL without its ``/v1``."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


@functools.lru_cache(maxsize=256)
def client(url: str, secret: str, timeout: float) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=secret, base_url=native_base(url), max_retries=0, timeout=timeout)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def to_request(payload: dict[str, Any]) -> dict[str, Any]:
    """The Messages API body for an OpenAI chat-completions payload."""
    system: list[str] = []
    messages: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if messages and messages[-1]["role"] == role:  # the API wants user and assistant turns to alternate
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})

    for m in payload["messages"]:
        role = m.get("role")
        if role in ("system", "developer"):
            system.append(_text(m.get("content")))
        elif role == "tool":
            add(
                "user",
                [{"type": "tool_result", "tool_use_id": m.get("tool_call_id", ""), "content": _text(m.get("content"))}],
            )
        elif role == "assistant":
            blocks: list[dict[str, Any]] = []
            if _text(m.get("content")):
                blocks.append({"type": "text", "text": _text(m.get("content"))})
            for call in m.get("tool_calls") or []:
                fn = call.get("function") or {}
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                blocks.append({"type": "tool_use", "id": call.get("id", ""), "name": fn.get("name", ""), "input": args})
            add("assistant", blocks or [{"type": "text", "text": ""}])
        else:
            add("user", [{"type": "text", "text": _text(m.get("content"))}])
    body: dict[str, Any] = {"model": payload["model"], "max_tokens": payload["max_tokens"], "messages": messages}
    if system:
        body["system"] = "\n\n".join(system)
    for key in ("temperature", "top_p"):
        if key in payload:
            body[key] = payload[key]
    if payload.get("stop"):
        stop = payload["stop"]
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if payload.get("tools"):
        body["tools"] = [
            {
                "name": t["function"]["name"],
                "description": t["function"].get("description", ""),
                "input_schema": t["function"].get("parameters") or {"type": "object", "properties": {}},
            }
            for t in payload["tools"]
            if t.get("type") == "function"
        ]
    return body


def from_message(message: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat.completion dict for a Messages API answer."""
    text = "".join(b.get("text", "") for b in message.get("content") or [] if b.get("type") == "text")
    calls = [
        {
            "id": b.get("id", ""),
            "type": "function",
            "function": {"name": b.get("name", ""), "arguments": json.dumps(b.get("input") or {})},
        }
        for b in message.get("content") or []
        if b.get("type") == "tool_use"
    ]
    reply: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        reply["tool_calls"] = calls
    usage = message.get("usage") or {}
    i, o = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    finish = STOP.get(message.get("stop_reason") or "", "stop")
    return {
        "id": message.get("id", ""),
        "object": "chat.completion",
        "model": message.get("model", ""),
        "choices": [{"index": 0, "message": reply, "finish_reason": finish}],
        "usage": {"prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o},
    }


def create(url: str, secret: str, timeout: float, payload: dict[str, Any]) -> dict[str, Any]:
    message = client(url, secret, timeout).messages.create(**to_request(payload))
    return from_message(message.model_dump(exclude_none=True))


def stream(url: str, secret: str, timeout: float, payload: dict[str, Any]) -> tuple[Any, Iterator[dict[str, Any]]]:
    """Open the event stream (raises the SDK's errors before any event) and return (stream, OpenAI chunks)."""
    events = client(url, secret, timeout).messages.create(**to_request(payload), stream=True)

    def chunks() -> Iterator[dict[str, Any]]:
        rid, model, input_tokens = "", payload["model"], 0
        output_tokens: int | None = None
        finish = "stop"
        tool_index: dict[int, int] = {}  # content block index → OpenAI tool call index
        for event in events:
            data = event.model_dump(exclude_none=True)
            kind = data.get("type")
            if kind == "message_start":
                message = data.get("message") or {}
                rid, model = message.get("id", ""), message.get("model", model)
                input_tokens = int((message.get("usage") or {}).get("input_tokens") or 0)
                yield _chunk(rid, model, {"role": "assistant", "content": ""})
            elif kind == "content_block_start":
                block = data.get("content_block") or {}
                if block.get("type") == "tool_use":
                    n = tool_index.setdefault(int(data.get("index") or 0), len(tool_index))
                    call = {"index": n, "id": block.get("id", ""), "type": "function"}
                    call["function"] = {"name": block.get("name", ""), "arguments": ""}
                    yield _chunk(rid, model, {"tool_calls": [call]})
            elif kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield _chunk(rid, model, {"content": delta["text"]})
                elif delta.get("type") == "input_json_delta" and int(data.get("index") or 0) in tool_index:
                    n = tool_index[int(data.get("index") or 0)]
                    piece = {"index": n, "function": {"arguments": delta.get("partial_json") or ""}}
                    yield _chunk(rid, model, {"tool_calls": [piece]})
            elif kind == "message_delta":
                output_tokens = int((data.get("usage") or {}).get("output_tokens") or 0)
                finish = STOP.get((data.get("delta") or {}).get("stop_reason") or "", "stop")
            elif kind == "message_stop" and output_tokens is not None:
                yield _chunk(rid, model, {}, finish)
                total = input_tokens + output_tokens
                usage = {"prompt_tokens": input_tokens, "completion_tokens": output_tokens, "total_tokens": total}
                yield {"id": rid, "object": "chat.completion.chunk", "model": model, "choices": [], "usage": usage}

    return events, chunks()


def _chunk(rid: str, model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def validate(url: str, secret: str, timeout: float) -> None:
    client(url, secret, timeout).models.list(limit=1)
