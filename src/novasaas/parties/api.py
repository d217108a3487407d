"""Parties API (/api/v1/parties/): thin endpoints over actions and selectors. Core: no module gate."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.identity.access import Principal
from novasaas.parties import actions, selectors
from novasaas.parties.excel import XLSX_TYPE, PartyImportError, export_workbook, import_parties
from novasaas.parties.schemas import (
    DuplicateOut,
    ImportErrors,
    MergeIn,
    Party,
    PartyCreate,
    PartyImportResult,
    PartyListItem,
    PartyUpdate,
)
from novasaas.platform.api import ErrorOut, module_auth

router = Router(tags=["parties"], auth=module_auth(None))


def _principal(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


def _nested(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)


@router.get("/", response=list[PartyListItem])
@paginate(LimitOffsetPagination)
def list_parties(
    request: HttpRequest, q: str = "", kind: str = "", tag: str = "", include_inactive: bool = False
) -> Any:
    """Search parties by name, code, tax code, ID number, phone, email or tag (accent-insensitive)."""
    p = _principal(request, "core.parties.view")
    return selectors.search_parties(
        p.tenant, q[:200], kind=kind or None, tag=tag or None, include_inactive=include_inactive
    )


@router.post("/", response={201: Party, 400: ErrorOut, 403: ErrorOut})
def create_party(request: HttpRequest, data: PartyCreate) -> Any:
    p = _principal(request, "core.parties.edit")
    party = actions.create_party(p, **data.model_dump())
    return 201, selectors.get_party(p.tenant, party.pk)


@router.get("/export", response={200: None, 403: ErrorOut})
def export_parties(request: HttpRequest) -> HttpResponse:
    """All active parties as an Excel file (primary phone/email, default address, tags)."""
    p = _principal(request, "core.parties.import")
    response = HttpResponse(export_workbook(p.tenant), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="parties.xlsx"'
    return response


@router.post("/import", response={200: PartyImportResult, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors})
def import_file(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Create parties from an xlsx file; all or nothing, with a line-by-line error report."""
    p = _principal(request, "core.parties.import")
    try:
        created = import_parties(p, file)
    except PartyImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": len(created), "codes": [party.code for party in created]}


@router.post("/merge", response={200: Party, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def merge(request: HttpRequest, data: MergeIn) -> Any:
    """Merge duplicates into the kept party (publishes PartiesMerged)."""
    p = _principal(request, "core.parties.merge")
    keep = actions.merge_parties(p, data.keep_id, data.duplicate_ids)
    return selectors.get_party(p.tenant, keep.pk)


@router.get("/{int:party_id}", response={200: Party, 404: ErrorOut})
def get_party(request: HttpRequest, party_id: int) -> Any:
    p = _principal(request, "core.parties.view")
    return selectors.get_party(p.tenant, party_id)


@router.patch("/{int:party_id}", response={200: Party, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_party(request: HttpRequest, party_id: int, data: PartyUpdate) -> Any:
    p = _principal(request, "core.parties.edit")
    actions.update_party(p, party_id, **_nested(data))
    return selectors.get_party(p.tenant, party_id)


@router.delete(
    "/{int:party_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Deactivate a party (never deleted)",
)
def delete_party(request: HttpRequest, party_id: int) -> Any:
    """Deactivate (parties are never deleted: other modules' documents refer to them)."""
    p = _principal(request, "core.parties.edit")
    actions.deactivate_party(p, party_id)
    return 204, None


@router.post("/{int:party_id}/reactivate", response={200: Party, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def reactivate_party(request: HttpRequest, party_id: int) -> Any:
    """Undo a deactivation (not a merge); refused when another active party now has the tax code."""
    p = _principal(request, "core.parties.edit")
    actions.reactivate_party(p, party_id)
    return selectors.get_party(p.tenant, party_id)


@router.get("/{int:party_id}/duplicates", response={200: list[DuplicateOut], 404: ErrorOut})
def duplicates(request: HttpRequest, party_id: int) -> Any:
    """Active parties that look like this one, with the reasons (tax_code, phone, email, name)."""
    p = _principal(request, "core.parties.view")
    party = selectors.get_party(p.tenant, party_id)
    return [{"party": c.party, "reasons": c.reasons} for c in selectors.find_duplicates(p.tenant, party)]
