"""Documents search over 100,000 documents (issue 15 "Benchmarks": < 200 ms p95 on PostgreSQL). Prints
figures; asserts nothing.

    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_docs DATABASE_APP_ROLE=novasaas_app \
        .venv/bin/python benchmarks/documents_search.py [--documents 100000] [--repeat 40]

A tenant with 200 folders (one in five restricted to the Manager role) and ``--documents`` documents
whose folded search text is 40–120 words drawn from a Vietnamese business vocabulary (plus a rare word
in one document in 1,000) is bulk-inserted. Each query is then run ``--repeat`` times through
``selectors.search_documents`` (the page's and the API's path: folder levels, full-text match,
visibility filter, newest 50, tags and versions) as an Accountant (who cannot see the restricted
folders), and p50/p95 are printed per query. Without DATABASE_URL a throw-away SQLite file is used
(its substring fallback is not what the target is about).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

WORDS = (
    "hợp đồng mua bán hàng hóa dịch vụ thanh toán bên giá trị thuế giá trị gia tăng hóa đơn điện tử biên bản "
    "nghiệm thu bàn giao bảo hành chính sách nhân sự lương thưởng bảo hiểm xã hội công tác phí quy chế chi tiêu "
    "nội bộ kho vận chuyển giao nhận khách hàng nhà cung cấp đơn đặt hàng báo giá phụ lục điều khoản phạt vi "
    "phạm tranh chấp trọng tài thời hạn hiệu lực chấm dứt công ty trách nhiệm hữu hạn cổ phần hà nội hồ chí minh "
    "đà nẵng kế toán kiểm toán báo cáo tài chính ngân hàng chuyển khoản tiền mặt tạm ứng quyết toán"
).split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--tenant", default="", help="search an existing bench tenant (slug) instead of inserting")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from novasaas.documents.models import Document, DocumentSearch, Folder, FolderPermission
    from novasaas.identity import actions as identity_actions
    from novasaas.platform.models import Tenant
    from novasaas.platform.search import fold
    from novasaas.platform.tenancy import platform_context, tenant_context

    rng = random.Random(15)
    if args.tenant:
        with platform_context():
            tenant = Tenant.objects.get(slug=args.tenant)
        _search(tenant, args.tenant, args.repeat)
        return
    slug = f"dmsbench{int(time.time())}"
    tenant, admin = identity_actions.create_tenant(
        slug=slug, name="Bench", admin_email=f"{slug}@example.com", admin_password="Bench-password-1", modules=["DMS"]
    )
    with platform_context():
        Tenant.objects.filter(pk=tenant.pk).update(status="active")
        tenant.refresh_from_db()
    identity_actions.add_member(tenant, _user(f"acc.{slug}@example.com"), ["accountant"])
    print(f"database: {connection.vendor}, tenant: {slug}, documents: {args.documents:,}")
    # committed batch by batch (a tenant_context is one transaction on PostgreSQL), so the data can be
    # searched again with --tenant and explained from another session
    with tenant_context(tenant):
        folders = [Folder(tenant=tenant, name=f"Thư mục {i}") for i in range(200)]
        Folder.objects.bulk_create(folders)
        FolderPermission.objects.bulk_create(
            [FolderPermission(tenant=tenant, folder=f, role_code="manager", level=1) for f in folders[::5]]
        )
    t0 = time.perf_counter()
    batch: list[tuple[Document, str]] = []
    for i in range(args.documents):
        words = rng.choices(WORDS, k=rng.randint(40, 120))
        if i % 1000 == 1:
            words.append("xuatkhauhiem")
        name = f"Tài liệu {i} {' '.join(words[:4])}"
        batch.append((Document(tenant=tenant, folder=folders[i % 200], name=name), fold(f"{name} {' '.join(words)}")))
        if len(batch) == 5000 or i == args.documents - 1:
            with tenant_context(tenant):
                docs = Document.objects.bulk_create([d for d, _t in batch])
                DocumentSearch.objects.bulk_create(
                    [DocumentSearch(document=d, tenant=tenant, text=t) for d, (_d, t) in zip(docs, batch, strict=True)]
                )
                if connection.vendor == "postgresql":  # what actions.reindex writes, in bulk
                    with connection.cursor() as cur:
                        cur.execute(
                            "UPDATE documents_documentsearch SET vector = to_tsvector('simple', text)"
                            " WHERE tenant_id = %s AND vector IS NULL",
                            [tenant.pk],
                        )
            batch = []
    print(f"inserted in {time.perf_counter() - t0:.1f} s", flush=True)
    _search(tenant, slug, args.repeat)


def _search(tenant, slug: str, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from novasaas.documents import access, selectors
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.tenancy import tenant_context

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE documents_document")
            cur.execute("ANALYZE documents_documentsearch")
    with tenant_context(tenant):
        accountant = principal_for(
            Membership.objects.select_related("tenant", "user").get(user__email=f"acc.{slug}@example.com")
        )
        print(f"visible folders for the Accountant: {len(access.visible_folder_ids(accountant))} of 200")
        queries = ["xuatkhauhiem", "hợp đồng", "dieu khoan phat", "thanh to", "quyết toán tạm ứng ngân hàng"]
        for q in [*queries, "tai lieu 4242"]:
            times = []
            found = 0
            for _ in range(repeat):
                t1 = time.perf_counter()
                found = len(selectors.search_documents(accountant, q))
                times.append((time.perf_counter() - t1) * 1000)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"{q!r:<36} hits {found:>3}  p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms", flush=True)


def _user(email: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from novasaas.platform.tenancy import platform_context

    with platform_context():
        return get_user_model().objects.create_user(email, "Bench-password-1")


if __name__ == "__main__":
    main()
