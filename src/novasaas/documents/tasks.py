"""Background tasks of Documents (Django tasks API). Arguments are ids, the tenant id first."""

from __future__ import annotations

from django_tasks import task

from novasaas.platform.tenancy import run_in_tenant


def _extract(version_id: int) -> bool:
    from novasaas.documents import files
    from novasaas.documents.actions import reindex
    from novasaas.documents.models import Document, DocumentVersion

    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None or version.text:
        return False  # purged meanwhile, or done already (idempotent)
    with version.file.storage.open(version.file.name, "rb") as fh:
        text = files.extract_text(version.content_type, fh.read())
    DocumentVersion.objects.filter(pk=version_id).update(text=text)
    doc = Document.objects.filter(pk=version.document_id, current_version_id=version_id).first()
    if doc is not None:
        reindex(doc)
    return True


@task()
def extract_version_text(tenant_id: int, version_id: int) -> bool:
    """Extract the text of a large version for the search, then reindex its document."""
    return bool(run_in_tenant(tenant_id, _extract, version_id))
