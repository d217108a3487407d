"""The real routes of a module, taken from the URL resolver and the API's routers (never a hand list).

Tests that must hold for every route of a module (the module gate, permissions) iterate these, so a
route added later is covered without editing the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# a value that every converter of that kind accepts; the gate answers before the value is looked up
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?\w+>")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    name: str


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


_NINJA_PARAM = re.compile(r"\{[^}]+\}")


def _concrete(route: str) -> str:
    route = _NINJA_PARAM.sub("1", _CONVERTER.sub(lambda m: _SAMPLES[m.group("kind") or "str"], route))
    return "/" + route.lstrip("^").rstrip("$")


def page_routes(prefix: str) -> list[Route]:
    """GET (and POST where the view accepts it) of every page under ``/<prefix>/``."""
    routes = []
    for raw, pattern in _walk(get_resolver().url_patterns):
        if not raw.startswith(prefix.strip("/") + "/"):
            continue
        path = _concrete(raw)
        view_class = getattr(pattern.callback, "view_class", None)
        methods = ["get"] if view_class is None or hasattr(view_class, "get") else []
        if view_class is None or hasattr(view_class, "post"):
            methods.append("post")
        routes += [Route(m, path, pattern.name or raw) for m in methods]
    return routes


def api_routes(prefix: str) -> list[Route]:
    """Every operation of the API under ``/api/v1/<prefix>``, from the API's own operation table."""
    from novasaas.config.api import api

    routes = []
    for router_prefix, router in api._routers:
        if router_prefix.strip("/").split("/")[0] != prefix.strip("/"):
            continue
        for path, path_view in router.path_operations.items():
            url = _concrete("api/v1/" + router_prefix.strip("/") + path)
            for operation in path_view.operations:
                routes += [Route(m.lower(), url, operation.operation_id or path) for m in operation.methods]
    return routes
