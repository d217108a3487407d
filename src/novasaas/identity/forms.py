from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.platform.models import slug_validator
from novasaas.platform.mst import validate_tax_code
from novasaas.platform.text import Form


class LoginForm(Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"), max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TotpForm(Form):
    code = forms.CharField(
        label=_("Two-factor code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


class PasswordChangeForm(Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )


class AcceptInvitationForm(Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)


class SignupForm(Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=50,
        validators=[slug_validator],
        help_text=_("Lowercase letters, digits and dashes, e.g. cong-ty-abc"),
    )
    tax_code = forms.CharField(label=_("Tax code (MST)"), max_length=14, required=False, validators=[validate_tax_code])
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


# --- tenant administration (spec §3.1.1, §3.1.2) ---------------------------------------------------

CURRENCIES = ["VND", "USD", "EUR", "JPY", "CNY", "KRW", "SGD", "THB"]
LOGO_MAX_BYTES = 1024 * 1024


class MemberForm(Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple, required=True)

    def __init__(self, *args: Any, role_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices


class InvitationForm(Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, role_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices


class RoleForm(Form):
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Lowercase letters, digits, dashes and underscores, e.g. cashier")
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class CompanyForm(Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=300, required=False)
    address = forms.CharField(
        label=_("Address"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tax_code = forms.CharField(label=_("Tax code (MST)"), max_length=14, required=False, validators=[validate_tax_code])
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    logo = forms.ImageField(label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 1 MB."))

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size"):
            if logo.size > LOGO_MAX_BYTES:
                raise forms.ValidationError(_("The logo is larger than 1 MB."))
            if not logo.name.lower().endswith((".png", ".jpg", ".jpeg")):
                raise forms.ValidationError(_("Upload a PNG or JPEG image."))
        return logo


class AppearanceForm(Form):
    theme_color = forms.RegexField(
        label=_("Theme colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )


def _timezones() -> list[tuple[str, str]]:
    import zoneinfo

    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z and not z.startswith("Etc/")]


class RegionForm(Form):
    locale = forms.ChoiceField(label=_("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_timezones)
    base_currency = forms.ChoiceField(label=_("Base currency"), choices=[(c, c) for c in CURRENCIES])


class CompanyNotificationsForm(Form):
    in_app = forms.BooleanField(label=_("Notifications in the app"), required=False)
    email = forms.BooleanField(label=_("Notifications by email"), required=False)


class SecurityForm(Form):
    require_mfa = forms.BooleanField(label=_("Require two-factor sign-in for every member"), required=False)


class ApiKeyForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from novasaas.identity.catalogue import PERMISSIONS

        field = cast(forms.MultipleChoiceField, self.fields["permissions"])
        field.choices = [(p.code, p.code) for p in PERMISSIONS]
