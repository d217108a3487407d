"""How long an import takes to refuse an oversized sheet (400,000 rows in a < 5 MB xlsx).

    .venv/bin/python benchmarks/imports.py

Needs no database: only the reading and refusing is timed (what runs before anything is written).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")

import django  # noqa: E402

django.setup()

from novasaas.inventory import excel as inventory_excel  # noqa: E402
from novasaas.parties import excel as parties_excel  # noqa: E402
from novasaas.platform.excel import workbook  # noqa: E402
from novasaas.platform.imports import LineImportError  # noqa: E402

ROWS = 400_000


def main() -> None:
    parties = workbook("x", ["Tên (name)", "Ghi chú (note)"], ([f"Công ty {i}", ""] for i in range(ROWS)))
    products = workbook(
        "x", ["Tên hàng (name)", "ĐVT tồn kho (stock_unit)"], ([f"Hàng {i}", "cai"] for i in range(ROWS))
    )
    for name, read, data in (
        ("parties", parties_excel._read_rows, parties),
        ("products", inventory_excel._read, products),
    ):
        start = time.perf_counter()
        try:
            read(io.BytesIO(data))
            outcome = "accepted"
        except LineImportError as exc:
            outcome = "; ".join(exc.messages)
        print(f"{name}: {ROWS:,} rows, {len(data) / 1e6:.1f} MB → {time.perf_counter() - start:.2f} s ({outcome})")


if __name__ == "__main__":
    main()
