from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.platform.mst import validate_tax_code
from novasaas.platform.models import slug_validator


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.CharField(label=_("Two-factor code"), max_length=10,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput,
                                   help_text=_("At least 10 characters, not only digits, not a common password."))


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(label=_("Workspace address"), max_length=50, validators=[slug_validator],
                           help_text=_("Lowercase letters, digits and dashes, e.g. cong-ty-abc"))
    tax_code = forms.CharField(label=_("Tax code (MST)"), max_length=14, required=False,
                               validators=[validate_tax_code])
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
