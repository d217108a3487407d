from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from novasaas.ai.models import BudgetMode, Provider
from novasaas.platform.numbers import format_number


class KeyForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=Provider.choices)
    secret = forms.CharField(
        label=_("API key"),
        max_length=300,
        min_length=8,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Checked with the provider before it is saved; then sealed and never shown again."),
    )
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    priority = forms.IntegerField(
        label=_("Priority"), min_value=0, max_value=1000, initial=100, help_text=_("Lower is tried first.")
    )


class BudgetForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("For"), coerce=int, empty_value=None, required=False)
    limit_credits = forms.IntegerField(
        label=_("Monthly limit (credits)"), min_value=1, max_value=10**12, required=False
    )
    limit_vnd = forms.IntegerField(
        label=_("or monthly limit (VND)"),
        min_value=1,
        max_value=10**13,
        required=False,
        help_text=_("One of the two; VND are kept as credits at the credit's price."),
    )
    mode = forms.ChoiceField(label=_("When reached"), choices=BudgetMode.choices)

    def __init__(self, *args: Any, members: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [("", _("The whole company")), *members]  # type: ignore[attr-defined]


class WalletForm(forms.Form):
    allow_shared = forms.BooleanField(label=_("Use shared credits when no own key serves"), required=False)
    rollover_days = forms.IntegerField(
        label=_("Carry expiring credits over for (days, 0 = no)"),
        min_value=0,
        max_value=3660,
        initial=0,
        required=False,
    )
    topup_threshold = forms.IntegerField(
        label=_("Buy a pack automatically when the balance falls below (credits, 0 = off)"),
        min_value=0,
        max_value=10**12,
        initial=0,
        required=False,
    )
    topup_pack = forms.ChoiceField(label=_("Pack bought automatically"), required=False)
    byok_plan = forms.ChoiceField(
        label=_("BYOK plan"), required=False, help_text=_("How many providers your own keys may cover.")
    )

    def __init__(self, *args: Any, packs: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        from novasaas.ai.catalogue import BYOK_PLANS

        super().__init__(*args, **kwargs)
        self.fields["topup_pack"].choices = [("", "—"), *packs]  # type: ignore[attr-defined]
        self.fields["byok_plan"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *(
                (
                    code,
                    _("%(name)s: %(n)s, %(price)s VND/month")
                    % {
                        "name": name,
                        "n": _("unlimited providers") if n is None else ngettext("%d provider", "%d providers", n) % n,
                        "price": format_number(price),
                    },
                )
                for code, name, n, price in BYOK_PLANS
            ),
        ]


class ChatForm(forms.Form):
    model = forms.ChoiceField(label=_("Model"))
    text = forms.CharField(label=_("Your question"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    use_tools = forms.BooleanField(label=_("Let the assistant look up company data"), required=False)
    use_documents = forms.BooleanField(label=_("Answer from the company's documents (cite sources)"), required=False)

    def __init__(self, *args: Any, models: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [(m, m) for m in models]  # type: ignore[attr-defined]


class KnowledgeUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (text, PDF or DOCX, at most 5 MB)"))
