"""Approval workflows (spec §10: "tạo workflow, phân công reviewer"): ordered steps, each decided by its
reviewer in turn with a comment. Starting one needs the edit level on the folder; the document is
"in review" while it runs, then "approved" (every step approved) or "rejected" (a step rejected, the
steps after it are not reached). Reviewers are notified when their turn comes (notification kind
``approvals``), the starter when the workflow ends. Every decision is audited against the document."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.documents.actions import _need_document, _trail, _user, atomic_in
from novasaas.documents.models import (
    AccessLevel,
    Document,
    DocumentShare,
    DocumentStatus,
    DocumentWorkflow,
    StepDecision,
    WorkflowStatus,
    WorkflowStep,
)
from novasaas.identity.access import Principal
from novasaas.platform import notifications

MAX_STEPS = 10


def _notify(principal: Principal, users: list[object], title: str, document_id: int) -> None:
    notifications.notify(
        principal.tenant, users, "approvals", title, url=reverse("documents-document", args=[document_id])
    )


def start_workflow(principal: Principal, document_id: int, reviewer_ids: list[int]) -> DocumentWorkflow:
    """Start an approval of the current version with ``reviewer_ids`` in order (members of the company;
    one open workflow per document)."""
    from novasaas.identity.models import Membership

    ids = [int(i) for i in reviewer_ids]
    if not ids:
        raise ValidationError({"reviewers": [_("Choose at least one reviewer.")]})
    if len(ids) > MAX_STEPS:
        raise ValidationError({"reviewers": [_("At most %(n)d steps.") % {"n": MAX_STEPS}]})
    if len(set(ids)) != len(ids):
        raise ValidationError({"reviewers": [_("A reviewer appears twice.")]})
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        members = set(
            Membership.objects.filter(tenant=principal.tenant, user_id__in=ids, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        if members != set(ids):
            raise ValidationError({"reviewers": [_("Not a member of this company.")]})
        if DocumentWorkflow.objects.filter(document=doc, status=WorkflowStatus.OPEN).exists():
            raise ValidationError(_("An approval of this document is already in progress."))
        if doc.current_version_id is None:
            raise ValidationError(_("This document has no file to approve."))
        wf = DocumentWorkflow.objects.create(
            tenant=principal.tenant, document=doc, version_id=doc.current_version_id, created_by=_user(principal)
        )
        WorkflowStep.objects.bulk_create(
            [
                WorkflowStep(tenant=principal.tenant, workflow=wf, order=n, reviewer_id=uid)
                for n, uid in enumerate(ids, 1)
            ]
        )
        shared = set(
            DocumentShare.objects.filter(document=doc, user_id__in=ids, revoked_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
        # reviewers see the document whatever their folder rights (a share by member, revocable)
        DocumentShare.objects.bulk_create(
            [
                DocumentShare(tenant=principal.tenant, document=doc, user_id=uid, created_by=_user(principal))
                for uid in ids
                if uid not in shared
            ]
        )
        doc.status = DocumentStatus.IN_REVIEW
        doc.save(update_fields=["status"])
        _trail(principal, doc, f"approval {wf.pk} started with {len(ids)} step(s)")
        _notify(principal, [ids[0]], _("Document to approve: %(name)s") % {"name": doc.name}, doc.pk)
        return wf


def current_step(workflow: DocumentWorkflow) -> WorkflowStep | None:
    return (
        WorkflowStep.objects.filter(workflow=workflow, decision=StepDecision.PENDING).select_related("reviewer").first()
    )


def decide(principal: Principal, document_id: int, *, approve: bool, comment: str = "") -> DocumentWorkflow:
    """The reviewer of the current step approves or rejects (a rejection needs a comment)."""
    text = str(comment or "").strip()[:1000]
    if not approve and not text:
        raise ValidationError({"comment": [_("Say why the document is rejected.")]})
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.VIEW, lock=True)
        wf = DocumentWorkflow.objects.select_for_update().filter(document=doc, status=WorkflowStatus.OPEN).first()
        if wf is None:
            raise ValidationError(_("No approval of this document is in progress."))
        step = current_step(wf)
        if step is None or step.reviewer_id != getattr(principal.user, "pk", None):
            raise PermissionDenied(_("It is not your turn to review this document."))
        step.decision = StepDecision.APPROVED if approve else StepDecision.REJECTED
        step.comment = text
        step.decided_at = timezone.now()
        step.save(update_fields=["decision", "comment", "decided_at"])
        _trail(principal, doc, f"step {step.order} {'approved' if approve else 'rejected'}: {text}"[:500])
        following = current_step(wf)
        if approve and following is not None:
            _notify(principal, [following.reviewer_id], _("Document to approve: %(name)s") % {"name": doc.name}, doc.pk)
            return wf
        if not approve:
            WorkflowStep.objects.filter(workflow=wf, decision=StepDecision.PENDING).update(
                decision=StepDecision.SKIPPED
            )
        wf.status = WorkflowStatus.APPROVED if approve else WorkflowStatus.REJECTED
        wf.closed_at = timezone.now()
        wf.save(update_fields=["status", "closed_at"])
        doc.status = DocumentStatus.APPROVED if approve else DocumentStatus.REJECTED
        doc.save(update_fields=["status"])
        if wf.created_by_id:
            title = _("Document approved: %(name)s") if approve else _("Document rejected: %(name)s")
            _notify(principal, [wf.created_by_id], title % {"name": doc.name}, doc.pk)
        return wf


def cancel_workflow(principal: Principal, document_id: int) -> DocumentWorkflow:
    """The starter or an administrator stops the approval in progress; the document goes back to draft."""
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.VIEW, lock=True)
        wf = DocumentWorkflow.objects.select_for_update().filter(document=doc, status=WorkflowStatus.OPEN).first()
        if wf is None:
            raise ValidationError(_("No approval of this document is in progress."))
        if wf.created_by_id != getattr(principal.user, "pk", None) and not principal.has("dms.admin"):
            raise PermissionDenied(_("Only who started the approval or an administrator can cancel it."))
        WorkflowStep.objects.filter(workflow=wf, decision=StepDecision.PENDING).update(decision=StepDecision.SKIPPED)
        wf.status = WorkflowStatus.CANCELLED
        wf.closed_at = timezone.now()
        wf.save(update_fields=["status", "closed_at"])
        doc.status = DocumentStatus.DRAFT
        doc.save(update_fields=["status"])
        _trail(principal, doc, f"approval {wf.pk} cancelled")
        return wf


def restart_for_new_version(principal: Principal, doc: Document, version_id: int) -> DocumentWorkflow | None:
    """A new version during an approval resets it: the open workflow is closed (cancelled, its pending
    steps skipped, its decisions kept in the history) and a new one on the new version starts with the
    same reviewers in the same order, from the first step, for the same starter; the first reviewer is
    notified again. Called inside the new version's transaction, the document row locked."""
    wf = DocumentWorkflow.objects.select_for_update().filter(document=doc, status=WorkflowStatus.OPEN).first()
    if wf is None:
        return None
    reviewers = list(WorkflowStep.objects.filter(workflow=wf).order_by("order").values_list("reviewer_id", flat=True))
    WorkflowStep.objects.filter(workflow=wf, decision=StepDecision.PENDING).update(decision=StepDecision.SKIPPED)
    wf.status = WorkflowStatus.CANCELLED
    wf.closed_at = timezone.now()
    wf.save(update_fields=["status", "closed_at"])
    fresh = DocumentWorkflow.objects.create(
        tenant=principal.tenant, document=doc, version_id=version_id, created_by_id=wf.created_by_id
    )
    WorkflowStep.objects.bulk_create(
        [
            WorkflowStep(tenant=principal.tenant, workflow=fresh, order=n, reviewer_id=uid)
            for n, uid in enumerate(reviewers, 1)
        ]
    )
    doc.status = DocumentStatus.IN_REVIEW
    doc.save(update_fields=["status"])
    _trail(principal, doc, f"approval {wf.pk} restarted as approval {fresh.pk}: a new version was uploaded")
    first: list[object] = [*reviewers[:1]]
    _notify(principal, first, _("Document to approve: %(name)s") % {"name": doc.name}, doc.pk)
    return fresh


def workflows_of(document_id: int) -> list[DocumentWorkflow]:
    return list(
        DocumentWorkflow.objects.filter(document_id=document_id)
        .prefetch_related("steps__reviewer")
        .order_by("-created_at", "-id")
    )
