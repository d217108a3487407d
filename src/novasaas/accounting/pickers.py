"""Server-side search for the account picker of journal lines (JSON for ``app.js`` Tom Select ``load``):
the company's active postable accounts whose code or Vietnamese/English name holds every word typed,
accent-insensitive, by code, at most ``PICKER_LIMIT``. The value is the account code, as the lines take it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from novasaas.accounting import selectors
from novasaas.accounting.models import Account
from novasaas.accounting.views import AccPermissionView
from novasaas.platform.search import PICKER_LIMIT, matching, picker_response


def account_label(account: Account) -> str:
    return f"{account.code} {account.display_name(get_language() or 'vi')}"


class AccountPickerView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()[:100]
        qs = selectors.list_accounts(self.tenant, postable=True)
        if q.isdigit():  # a code is typed from its start: 131 → 131, 1311…
            qs = qs.filter(code__startswith=q)
        else:
            qs = matching(qs, q, "code", "name_vi", "name_en")
        return picker_response(qs.order_by("code")[:PICKER_LIMIT], account_label, value=lambda a: a.code)
