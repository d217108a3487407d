"""The public side of a link share: anyone with the link (and its password, when it has one) downloads
the document's current version until the link expires or is revoked; every download is audited."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views import View

from novasaas.documents import forms, selectors
from novasaas.documents.models import DocumentShare
from novasaas.documents.views import file_response
from novasaas.platform import audit
from novasaas.platform.models import AuditAction


def _share(token: str) -> DocumentShare:
    share = selectors.link_share(token)
    if share is None or share.document.current_version is None:
        raise Http404
    return share


def _download(request: HttpRequest, share: DocumentShare) -> HttpResponseBase:
    version = share.document.current_version
    assert version is not None
    audit.record(
        AuditAction.OTHER,
        tenant=share.tenant,
        obj=share.document,
        message=f"downloaded through link {share.pk} (version {version.number})",
    )
    return file_response(version, inline=False)


class LinkView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponseBase:
        share = _share(token)
        if request.GET.get("download") == "1" and not share.password_hash:
            return _download(request, share)
        form = forms.LinkPasswordForm() if share.password_hash else None
        return render(request, "documents/link.html", {"share": share, "form": form, "token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponseBase:
        share = _share(token)
        form = forms.LinkPasswordForm(request.POST)
        if (
            share.password_hash
            and form.is_valid()
            and check_password(form.cleaned_data["password"], share.password_hash)
        ):
            return _download(request, share)
        if not share.password_hash:
            return _download(request, share)
        from django.utils.translation import gettext as _

        form.add_error(None, _("Wrong password."))
        audit.record(
            AuditAction.OTHER, tenant=share.tenant, obj=share.document, message=f"wrong password on link {share.pk}"
        )
        return render(request, "documents/link.html", {"share": share, "form": form, "token": token}, status=403)
