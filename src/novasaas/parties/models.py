"""The parties directory: companies and people that other modules give roles to.

A party is only ever *deactivated* (or merged into another), never deleted, so that documents of
other modules that point at it keep their meaning.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from novasaas.parties.text import normalize_email, normalize_phone
from novasaas.platform.models import TenantModel
from novasaas.platform.mst import validate_tax_code


class PartyKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class Party(TenantModel):
    code = models.CharField(_("code"), max_length=20, editable=False)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=PartyKind.choices, default=PartyKind.COMPANY)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, validators=[validate_tax_code])
    id_number = models.CharField(
        _("ID number"), max_length=20, blank=True, help_text=_("Citizen ID or passport number (people only).")
    )
    website = models.URLField(_("website"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_parties",
    )
    # Unaccented, lowercased name/code/tax code/contacts/tags: accent-insensitive search on any database.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "code"], name="parties_party_code_unique"),
            models.UniqueConstraint(
                fields=["tenant", "tax_code"],
                name="parties_party_tax_code_unique",
                condition=Q(is_active=True) & ~Q(tax_code=""),
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "is_active", "name"], name="parties_party_list_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        if self.kind == PartyKind.COMPANY and self.id_number:
            raise ValidationError({"id_number": _("Only a person has an ID number.")})
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": _("A party cannot be merged into itself.")})


class PartyAddress(TenantModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=60, blank=True)
    line = models.CharField(_("street address"), max_length=300, blank=True)
    ward = models.CharField(_("ward / commune"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    province = models.CharField(_("province / city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="VN")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering: ClassVar = ["-is_default", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line, self.ward, self.district, self.province) if p)

    def clean(self) -> None:
        if not any((self.line, self.ward, self.district, self.province)):
            raise ValidationError({"line": _("Enter at least a street address or a province.")})
        self.country = (self.country or "VN").upper()


class PartyContact(TenantModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    # Digits-only phone (0-prefixed) or lowercased email: what duplicate detection compares.
    normalized = models.CharField(max_length=254, blank=True, editable=False, db_index=True)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering: ClassVar = ["kind", "-is_primary", "id"]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        self.value = (self.value or "").strip()
        if self.kind == ContactKind.EMAIL:
            try:
                validate_email(self.value)
            except ValidationError as exc:
                raise ValidationError({"value": _("Enter a valid email address.")}) from exc
        elif self.kind == ContactKind.PHONE:
            digits = normalize_phone(self.value)
            if not 6 <= len(digits) <= 15 or not all(c in "0123456789 +-.()" for c in self.value):
                raise ValidationError({"value": _("Enter a valid phone number.")})

    def save(self, *args: object, **kwargs: object) -> None:
        self.normalized = normalize_email(self.value) if self.kind == ContactKind.EMAIL else normalize_phone(self.value)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PartyBankAccount(TenantModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="bank_accounts")
    bank_name = models.CharField(_("bank"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    holder = models.CharField(_("account holder"), max_length=200, blank=True)
    branch = models.CharField(_("branch"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"{self.account_number} – {self.bank_name}"


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "name"], name="parties_tag_name_unique")]

    def __str__(self) -> str:
        return self.name


class PartyTag(TenantModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="party_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="party_tags")

    class Meta:
        ordering: ClassVar = ["tag__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "party", "tag"], name="parties_partytag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}:{self.tag_id}"
