"""Every schema of the OpenAPI document has its own name: django-ninja names a component after its
class and silently keeps one of two classes with the same name, so the document described the wrong
response for several operations (``CountOut``, ``SettingsOut``, ``BankAccountOut``)."""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from novasaas.config.api import api


def _routers(routers: list[Any]) -> Iterator[Any]:
    for item in routers:
        router = item[1]
        yield router
        yield from _routers(router._routers)


def _models(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models(arg, found)


def schema_classes() -> set[type[BaseModel]]:
    """Every pydantic class an operation reads or answers, nested ones included."""
    found: set[type[BaseModel]] = set()
    for router in _routers(api._routers):
        for operations in router.path_operations.values():
            for op in operations.operations:
                for model in op.models:
                    for field in model.model_fields.values():
                        _models(field.annotation, found)
                for model in (op.response_models or {}).values():
                    _models(model, found)
    return found


def test_no_two_schema_classes_share_a_name():
    classes = schema_classes()
    assert len(classes) > 200  # the walk reaches every module's schemas, nested routers included
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in classes:
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1} == {}


def test_the_document_describes_the_right_responses():
    doc = api.get_openapi_schema()
    schemas = doc["components"]["schemas"]
    count = doc["paths"]["/api/v1/notifications/unread-count"]["get"]["responses"][200]
    assert count["content"]["application/json"]["schema"]["$ref"].endswith("/NotificationCountOut")
    assert set(schemas["NotificationCountOut"]["properties"]) == {"count"}
    party = schemas["Party"]["properties"]["bank_accounts"]["items"]["$ref"]
    assert party.endswith("/PartyBankAccountOut")
    assert "AccountingSettingsOut" in schemas and "InventorySettingsOut" in schemas
