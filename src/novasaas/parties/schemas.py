"""API schemas of the parties directory (inputs are strict: unknown fields are a 422)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.parties.selectors import primary_contact, tag_names
from novasaas.platform.api import Id, StrictSchema
from novasaas.platform.api import ImportErrorLine as ImportErrorLine
from novasaas.platform.api import ImportErrors as ImportErrors

KindLiteral = Literal["company", "person"]


class AddressIn(StrictSchema):
    label: str = Field(default="", max_length=60)
    line: str = Field(default="", max_length=300)
    ward: str = Field(default="", max_length=100)
    district: str = Field(default="", max_length=100)
    province: str = Field(default="", max_length=100)
    country: str = Field(default="VN", min_length=2, max_length=2)
    is_default: bool = False


class ContactIn(StrictSchema):
    kind: Literal["phone", "email"]
    value: str = Field(min_length=1, max_length=254)
    label: str = Field(default="", max_length=60)
    is_primary: bool = False


class BankAccountIn(StrictSchema):
    bank_name: str = Field(min_length=1, max_length=200)
    account_number: str = Field(min_length=1, max_length=40)
    holder: str = Field(default="", max_length=200)
    branch: str = Field(default="", max_length=200)


class PartyCreate(StrictSchema):
    name: str = Field(min_length=1, max_length=300)
    kind: KindLiteral = "company"
    role: Literal["customer", "supplier"] = Field(
        default="customer", description="a supplier's code is NCC00001, …; a customer's KH00001, …"
    )
    tax_code: str = Field(default="", max_length=14)
    id_number: str = Field(default="", max_length=20)
    website: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=5000)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=50)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)
    bank_accounts: list[BankAccountIn] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=30)


class PartyUpdate(StrictSchema):
    """Only the fields sent are changed; a nested list sent replaces the whole list."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: KindLiteral | None = None
    tax_code: str | None = Field(default=None, max_length=14)
    id_number: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=5000)
    addresses: list[AddressIn] | None = Field(default=None, max_length=50)
    contacts: list[ContactIn] | None = Field(default=None, max_length=50)
    bank_accounts: list[BankAccountIn] | None = Field(default=None, max_length=50)
    tags: list[str] | None = Field(default=None, max_length=30)


class MergeIn(StrictSchema):
    keep_id: Id
    duplicate_ids: list[Id] = Field(min_length=1, max_length=50)


class AddressOut(Schema):
    id: int
    label: str
    line: str
    ward: str
    district: str
    province: str
    country: str
    is_default: bool


class ContactOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    is_primary: bool


class PartyBankAccountOut(Schema):
    id: int
    bank_name: str
    account_number: str
    holder: str
    branch: str


class PartyListItem(Schema):
    id: int
    code: str
    name: str
    kind: str
    tax_code: str
    is_active: bool
    phone: str
    email: str
    tags: list[str]

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return primary_contact(obj, "phone")

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return primary_contact(obj, "email")

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return tag_names(obj)


class Party(Schema):
    id: int
    code: str
    name: str
    kind: str
    tax_code: str
    id_number: str
    website: str
    note: str
    is_active: bool
    merged_into_id: int | None
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    bank_accounts: list[PartyBankAccountOut]
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return tag_names(obj)


class DuplicateOut(Schema):
    party: PartyListItem
    reasons: list[str]


class PartyImportResult(Schema):
    created: int
    codes: list[str]
