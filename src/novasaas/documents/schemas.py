"""API schemas of Documents (inputs strict: unknown fields are a 422)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictInt

from novasaas.platform.api import Id, StrictSchema

Name = Field(min_length=1, max_length=200)


class DmsFolderOut(Schema):
    id: int
    name: str
    parent_id: int | None
    record_label: str
    level: int = 0


class DmsFolderIn(StrictSchema):
    name: str = Field(min_length=1, max_length=120)
    parent_id: Id | None = None


class DmsFolderUpdate(StrictSchema):
    name: str = Field(min_length=1, max_length=120)


class DmsGrant(StrictSchema):
    role_code: str = Field(default="", max_length=40)
    user_id: Id | None = None
    level: StrictInt = Field(ge=1, le=3)


class DmsGrantsIn(StrictSchema):
    grants: list[DmsGrant] = Field(max_length=100)


class DmsGrantOut(Schema):
    role_code: str
    user_id: int | None
    level: int


class DmsVersionOut(Schema):
    id: int
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    comment: str
    uploaded_by_id: int | None
    uploaded_at: dt.datetime


class DmsDocumentOut(Schema):
    id: int
    folder_id: int
    name: str
    status: str
    tags: list[str]
    current_version: DmsVersionOut | None
    checked_out_by_id: int | None
    checked_out_at: dt.datetime | None
    deleted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(obj: object) -> list[str]:
        return [t.name for t in obj.tags.all()]  # type: ignore[attr-defined]


class DmsDocumentUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=20)
    folder_id: Id | None = None


class DmsCommentIn(StrictSchema):
    body: str = Field(min_length=1, max_length=2000)


class DmsCommentOut(Schema):
    id: int
    author_id: int | None
    body: str
    created_at: dt.datetime


class DmsTrailOut(Schema):
    action: str
    actor_label: str
    message: str
    created_at: dt.datetime


class DmsShareIn(StrictSchema):
    user_id: Id | None = None
    days: StrictInt | None = Field(default=None, ge=1, le=90)
    password: str = Field(default="", max_length=128)


class DmsShareOut(Schema):
    id: int
    user_id: int | None
    expires_at: dt.datetime | None
    has_password: bool
    created_at: dt.datetime
    token: str | None = None  # the link's token: answered once, when the link is made

    @staticmethod
    def resolve_has_password(obj: object) -> bool:
        return bool(getattr(obj, "password_hash", ""))


class DmsSettingsOut(Schema):
    quota_bytes: int
    max_file_bytes: int
    trash_retention_days: int
    used_bytes: int = 0


class DmsSettingsUpdate(StrictSchema):
    quota_bytes: StrictInt | None = Field(default=None, ge=0, le=2**62)
    max_file_bytes: StrictInt | None = Field(default=None, ge=1, le=2 * 1024**3)
    trash_retention_days: StrictInt | None = Field(default=None, ge=1, le=3650)


class DmsStepOut(Schema):
    order: int
    reviewer_id: int
    decision: str
    comment: str
    decided_at: dt.datetime | None


class DmsWorkflowOut(Schema):
    id: int
    status: str
    version_id: int | None
    created_by_id: int | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    steps: list[DmsStepOut]

    @staticmethod
    def resolve_steps(obj: object) -> list[object]:
        return list(obj.steps.all())  # type: ignore[attr-defined]


class DmsWorkflowIn(StrictSchema):
    reviewer_ids: list[Id] = Field(min_length=1, max_length=10)


class DmsDecisionIn(StrictSchema):
    approve: bool
    comment: str = Field(default="", max_length=1000)


class DmsTemplateIn(StrictSchema):
    name: str = Field(min_length=1, max_length=120)
    record_kind: str = Field(min_length=1, max_length=40)
    source_id: Id
    folder_id: Id


class DmsTemplateOut(Schema):
    id: int
    name: str
    record_kind: str
    source_id: int
    folder_id: int


class DmsTemplateGenerateIn(StrictSchema):
    record_id: Id
    name: str = Field(default="", max_length=150)
