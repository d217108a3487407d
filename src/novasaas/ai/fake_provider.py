"""A fake AI provider on loopback that speaks the OpenAI chat-completions wire protocol, and Anthropic's
native Messages API under ``/anthropic/v1/messages`` (``x-api-key`` and ``anthropic-version`` headers, content
blocks, SSE events ``message_start``/``content_block_delta``/``message_delta``/``message_stop`` with usage,
errors in Anthropic's ``{"type": "error", "error": {...}}`` shape).

Used by the tests, the benchmark and the demo (no network exists here). One server serves every provider
under ``/<provider>/v1`` (OpenAI, and the OpenAI-compatible endpoints of Anthropic, Google and
OpenRouter): ``GET /models`` (key check), ``POST /chat/completions`` as JSON or as server-sent events
with ``stream_options.include_usage`` (a last chunk carrying ``usage``), errors 401/429/500 in the
OpenAI error shape, a configurable delay, a stream that breaks after N chunks, and one tool call when
the request offers tools. It counts the tokens it reports, so tests can compare them with the gateway.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    valid_keys: set[str] = field(default_factory=lambda: {"sk-test-valid-0001"})
    delay: float = 0.0  # seconds before answering
    fail_status: dict[str, int] = field(default_factory=dict)  # key → forced status (401/429/500)
    reply: str = "Xin chào! Tôi là trợ lý AI."
    prompt_tokens: int | None = None  # None: len(prompt bytes) // 4 + 1
    completion_tokens: int | None = None  # None: one token per word of the reply
    break_after: int | None = None  # stream: drop the connection after this many content chunks
    tool_call: tuple[str, dict[str, Any]] | None = None  # asked once when the request offers tools


@dataclass
class Counters:
    requests: int = 0
    served: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    providers: list[str] = field(default_factory=list)
    last_body: dict[str, Any] = field(default_factory=dict)  # the last request's JSON body


class FakeProvider:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.counters = Counters()
        self.lock = threading.Lock()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def base_url(self, provider: str) -> str:
        return f"{self.url}/{provider}/v1"

    def start(self) -> FakeProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.behaviour = Behaviour()
            self.counters = Counters()


def _words(text: str) -> list[str]:
    parts = text.split(" ")
    return [p + (" " if i < len(parts) - 1 else "") for i, p in enumerate(parts)]


def _handler(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send_json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int) -> None:
            if self.path.startswith("/anthropic/"):
                self._anthropic_error(status)
                return
            kinds = {401: "invalid_api_key", 429: "rate_limit_exceeded", 500: "server_error"}
            self._send_json(
                status,
                {
                    "error": {
                        "message": f"fake provider error {status}",
                        "type": kinds.get(status, "error"),
                        "code": kinds.get(status),
                    }
                },
            )

        def _route(self) -> tuple[str, str] | None:
            parts = self.path.split("?")[0].strip("/").split("/", 2)
            if len(parts) < 3 or parts[1] != "v1":
                return None
            return parts[0], "/" + parts[2]

        def _key(self) -> str:
            auth = self.headers.get("Authorization", "")
            return auth[7:] if auth.startswith("Bearer ") else self.headers.get("x-api-key", "")

        def _authorised(self) -> bool:
            key = self._key()
            b = fake.behaviour
            if key in b.fail_status:
                self._error(b.fail_status[key])
                return False
            if key not in b.valid_keys:
                self._error(401)
                return False
            return True

        def do_GET(self) -> None:
            route = self._route()
            if route is None or route[1] != "/models":
                self._error(404)
                return
            if not self._authorised():
                return
            if route[0] == "anthropic":
                model = {"type": "model", "id": "claude-3-sonnet", "display_name": "Claude 3 Sonnet"}
                model["created_at"] = "2024-02-29T00:00:00Z"
                body = {"data": [model], "has_more": False, "first_id": model["id"], "last_id": model["id"]}
                self._send_json(200, body)
            else:
                self._send_json(200, {"object": "list", "data": [{"id": "gpt-3.5-turbo", "object": "model"}]})

        def do_POST(self) -> None:
            route = self._route()
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with fake.lock:
                fake.counters.requests += 1
                fake.counters.last_body = body
            b = fake.behaviour
            if b.delay:
                time.sleep(b.delay)
            if route is not None and route == ("anthropic", "/messages"):
                self._messages(body)
                return
            if route is None or route[1] != "/chat/completions":
                self._error(404)
                return
            if not self._authorised():
                return
            prompt = json.dumps(body.get("messages", []), ensure_ascii=False).encode()
            p_tokens = b.prompt_tokens if b.prompt_tokens is not None else len(prompt) // 4 + 1
            max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or 10**6
            asked_tool = (
                b.tool_call is not None
                and body.get("tools")
                and not any(m.get("role") == "tool" for m in body.get("messages", []))
            )
            words = _words(b.reply)[:max_tokens]
            c_tokens = min(b.completion_tokens if b.completion_tokens is not None else len(words), max_tokens)
            rid = "chatcmpl-" + uuid.uuid4().hex[:20]
            model = body.get("model", "")
            if asked_tool:
                assert b.tool_call is not None
                name, args = b.tool_call
                message: dict[str, Any] = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                    ],
                }
                finish = "tool_calls"
            else:
                message = {"role": "assistant", "content": "".join(words)}
                finish = "stop"
            usage = {"prompt_tokens": p_tokens, "completion_tokens": c_tokens, "total_tokens": p_tokens + c_tokens}
            if not body.get("stream"):
                with fake.lock:
                    fake.counters.served += 1
                    fake.counters.prompt_tokens += p_tokens
                    fake.counters.completion_tokens += c_tokens
                    fake.counters.providers.append(route[0])
                self._send_json(
                    200,
                    {
                        "id": rid,
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": usage,
                    },
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

            def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> None:
                data = {
                    "id": rid,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                    **extra,
                }
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

            chunk({"role": "assistant", "content": ""})
            if asked_tool:
                chunk({"tool_calls": message["tool_calls"]})
            else:
                for i, w in enumerate(words):
                    if b.break_after is not None and i >= b.break_after:
                        with fake.lock:
                            fake.counters.prompt_tokens += p_tokens
                            fake.counters.completion_tokens += i
                            fake.counters.providers.append(route[0])
                        return  # connection closed without [DONE]: a broken stream
                    chunk({"content": w})
            chunk({}, finish)
            if (body.get("stream_options") or {}).get("include_usage"):
                data = {
                    "id": rid,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            with fake.lock:
                fake.counters.served += 1
                fake.counters.prompt_tokens += p_tokens
                fake.counters.completion_tokens += c_tokens
                fake.counters.providers.append(route[0])

        # --- Anthropic Messages API ---------------------------------------------------------------

        def _anthropic_error(self, status: int, message: str = "") -> None:
            kinds = {
                400: "invalid_request_error",
                401: "authentication_error",
                404: "not_found_error",
                429: "rate_limit_error",
                500: "api_error",
            }
            error = {"type": kinds.get(status, "api_error"), "message": message or f"fake provider error {status}"}
            self._send_json(status, {"type": "error", "error": error})

        def _event(self, name: str, data: dict[str, Any]) -> None:
            self.wfile.write(f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n".encode())
            self.wfile.flush()

        def _messages(self, body: dict[str, Any]) -> None:
            if not self.headers.get("anthropic-version"):
                self._anthropic_error(400, "anthropic-version header is required")
                return
            if not self._authorised():
                return
            if not isinstance(body.get("max_tokens"), int) or not body.get("messages"):
                self._anthropic_error(400, "max_tokens and messages are required")
                return
            b = fake.behaviour
            prompt = json.dumps({"system": body.get("system", ""), "messages": body["messages"]}, ensure_ascii=False)
            p_tokens = b.prompt_tokens if b.prompt_tokens is not None else len(prompt.encode()) // 4 + 1
            max_tokens = body["max_tokens"]
            words = _words(b.reply)[:max_tokens]
            c_tokens = min(b.completion_tokens if b.completion_tokens is not None else len(words), max_tokens)
            asked_tool = (
                b.tool_call is not None
                and body.get("tools")
                and not any(
                    isinstance(m.get("content"), list)
                    and any(c.get("type") == "tool_result" for c in m["content"] if isinstance(c, dict))
                    for m in body["messages"]
                )
            )
            mid = "msg_" + uuid.uuid4().hex[:20]
            model = body.get("model", "")
            if asked_tool:
                assert b.tool_call is not None
                content: list[dict[str, Any]] = [
                    {"type": "tool_use", "id": "toolu_1", "name": b.tool_call[0], "input": b.tool_call[1]}
                ]
                stop = "tool_use"
            else:
                content = [{"type": "text", "text": "".join(words)}]
                stop = "max_tokens" if len(_words(b.reply)) > max_tokens else "end_turn"

            def count(completion: int) -> None:
                with fake.lock:
                    fake.counters.prompt_tokens += p_tokens
                    fake.counters.completion_tokens += completion
                    fake.counters.providers.append("anthropic")

            if not body.get("stream"):
                with fake.lock:
                    fake.counters.served += 1
                count(c_tokens)
                message = {"id": mid, "type": "message", "role": "assistant", "model": model, "content": content}
                message |= {"stop_reason": stop, "stop_sequence": None}
                message["usage"] = {"input_tokens": p_tokens, "output_tokens": c_tokens}
                self._send_json(200, message)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            start = {"id": mid, "type": "message", "role": "assistant", "model": model, "content": []}
            start |= {"stop_reason": None, "stop_sequence": None}
            start["usage"] = {"input_tokens": p_tokens, "output_tokens": 1}
            self._event("message_start", {"message": start})
            if asked_tool:
                # a tool call streamed as Anthropic does: a tool_use block whose input arrives as
                # input_json_delta pieces of its JSON text
                assert b.tool_call is not None
                block = {"type": "tool_use", "id": "toolu_1", "name": b.tool_call[0], "input": {}}
                self._event("content_block_start", {"index": 0, "content_block": block})
                raw = json.dumps(b.tool_call[1], ensure_ascii=False)
                for piece in (raw[: len(raw) // 2], raw[len(raw) // 2 :]):
                    self._event(
                        "content_block_delta",
                        {"index": 0, "delta": {"type": "input_json_delta", "partial_json": piece}},
                    )
                self._event("content_block_stop", {"index": 0})
                delta = {
                    "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                    "usage": {"output_tokens": c_tokens},
                }
                self._event("message_delta", delta)
                self._event("message_stop", {})
                with fake.lock:
                    fake.counters.served += 1
                count(c_tokens)
                return
            self._event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
            self._event("ping", {})
            for i, w in enumerate(words):
                if b.break_after is not None and i >= b.break_after:
                    count(i)
                    return  # connection closed before message_delta: a broken stream
                self._event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": w}})
            self._event("content_block_stop", {"index": 0})
            delta = {"delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": c_tokens}}
            self._event("message_delta", delta)
            self._event("message_stop", {})
            with fake.lock:
                fake.counters.served += 1
            count(c_tokens)

    return Handler


def main() -> None:  # pragma: no cover - `python -m novasaas.ai.fake_provider` for the demo
    import os

    fake = FakeProvider()
    fake.behaviour.valid_keys |= {os.environ.get("AI_FAKE_KEY", "sk-demo-shared-0001")}
    fake.behaviour.delay = float(os.environ.get("AI_FAKE_DELAY", "0.2"))
    print(fake.url, flush=True)  # noqa: T201
    fake.server.serve_forever()


if __name__ == "__main__":  # pragma: no cover
    main()
