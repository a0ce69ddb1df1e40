"""Shipping labels: N A6 parcel labels (default 200) rendered to one PDF,
as the partner portal's bulk print does (`market.fulfilment.labels`).

Prints labels/s, seconds and PDF size, then decodes every page's QR from
the PDF's own page images with zxing-cpp. No database: the parcels are
unsaved model instances with realistic Vietnamese names and addresses.

    .venv/bin/python bench/shipping_labels.py [count]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

import django

django.setup()

import zxingcpp  # noqa: E402
from django.utils import timezone  # noqa: E402

from market.checkout.models import Order, Shipment  # noqa: E402
from market.fulfilment.labels import labels_pdf, parcel_tracking_url  # noqa: E402
from market.fulfilment.models import Parcel, Partner  # noqa: E402
from market.models import Seller  # noqa: E402
from tests.traceability.pdf_pages import pdf_page_images  # noqa: E402


def parcels(count: int) -> list[Parcel]:
    partner = Partner(name="Bưu điện Hội An", code="bd-hoian", province_code=48)
    seller = Seller(
        legal_name="Hộ kinh doanh Nước mắm Cẩm Thanh",
        phone="0905111222",
        province_code=48,
        ward_code=20413,
        address_line="Thôn Võng Nhi",
    )
    now = timezone.now()
    items = []
    for n in range(count):
        order = Order(
            number=f"NQ{n:06d}",
            customer_name="Nguyễn Thị Phương Thảo",
            phone="0987654321",
            province_code=1,
            ward_code=None,
            address_line=f"Số {n} ngõ 12 phố Trần Quốc Hoàn, tổ dân phố 7",
        )
        shipment = Shipment(order=order, seller=seller, weight_g=1200)
        items.append(
            Parcel(
                shipment=shipment,
                partner=partner,
                tracking_code=f"NQ{n:010d}",
                weight_g=1200,
                created_at=now,
            )
        )
    return items


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    batch = parcels(count)
    started = time.perf_counter()
    pdf = labels_pdf(batch)
    seconds = time.perf_counter() - started
    print(
        f"{count} labels in {seconds:.2f} s = {count / seconds:.1f} labels/s, "
        f"PDF {len(pdf) / 1024:.0f} KiB ({len(pdf) / count / 1024:.1f} KiB/label)"
    )
    started = time.perf_counter()
    pages = pdf_page_images(pdf)
    decoded = [[c.text for c in zxingcpp.read_barcodes(page)] for page in pages]
    expected = [[parcel_tracking_url(p)] for p in batch]
    ok = decoded == expected
    print(
        f"decoded {len(pages)} pages in {time.perf_counter() - started:.2f} s: "
        f"{'every QR reads back its parcel URL' if ok else 'MISMATCH'}"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
