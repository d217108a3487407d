"""The attachments box of any record (``attachments.py``): list and upload (an htmx partial the record's
page includes), download and removal. Permissions are the record kind's, not the folder's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views import View

from novasaas.documents import attachments
from novasaas.documents.views import file_response
from novasaas.identity.access import Principal
from novasaas.platform.modules import ModuleDisabled


class AttachmentBoxView(LoginRequiredMixin, View):
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("DMS"):
            raise ModuleDisabled("DMS")
        principal: Principal | None = getattr(request, "principal", None)
        if principal is None:
            raise PermissionDenied
        self.principal = principal
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def get(
        self, request: HttpRequest, kind: str, record_id: int, errors: Any = None, status: int = 200
    ) -> HttpResponse:
        context = attachments.box_context(self.principal, kind, record_id)
        context["errors"] = errors or []
        return render(request, "documents/_attachments.html", context, status=status)

    def post(self, request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
        if request.POST.get("remove"):
            try:
                document_id = int(request.POST["remove"])
            except ValueError as exc:
                raise Http404 from exc
            attachments.remove_attachment(self.principal, kind, record_id, document_id)
            return self.get(request, kind, record_id)
        upload = request.FILES.get("file")
        if upload is None:
            attachments.record_kind(self.principal, kind, record_id, attach=True)
            return self.get(request, kind, record_id, errors=[_choose()], status=400)
        try:
            attachments.attach(self.principal, kind, record_id, upload, upload.name or "")
        except ValidationError as exc:
            return self.get(request, kind, record_id, errors=list(exc.messages), status=400)
        return self.get(request, kind, record_id)


def _choose() -> str:
    from django.utils.translation import gettext as _

    return _("Choose a file.")


class AttachmentFileView(AttachmentBoxView):
    def get(self, request: HttpRequest, kind: str, record_id: int, document_id: int) -> HttpResponseBase:  # type: ignore[override]
        return file_response(attachments.attachment_version(self.principal, kind, record_id, document_id), inline=False)
