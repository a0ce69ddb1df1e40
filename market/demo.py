"""Demo data for `manage.py seed_demo`: the market, stores from the field,
products, variants, stock, certifications and illustrated photos.

Idempotent: every step gets or creates by a natural key (tax code, product
title within its seller, SKU, certificate number, image title), so a second
run changes nothing. Photos are drawn here with Pillow: labelled
illustrations, not photographs, and their alt text says so.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from stdnum.vn import mst
from wagtail.images import get_image_model

from market import places
from market.models import (
    Certification,
    CertificationKind,
    OcopCategory,
    OcopLevel,
    ProductImage,
    ProductPage,
    ReviewStatus,
    Seller,
    SellerKind,
    Stock,
    Variant,
    ocop_valid_until,
)
from market.services.catalogue import product_refresh_summary
from market.services.sellers import seller_provision
from market.services.setup import market_index_ensure
from market.slugs import vietnamese_slug

# The demo farmer's login is created by the site's own seed step (cms.demo);
# market may not import cms, so it is found by its username.
DEMO_FARMER_USERNAME = "nongdan"


@dataclass(frozen=True)
class DemoProduct:
    title: str
    category: str
    unit: str
    description: str
    variants: list[tuple[str, int, int, int]]  # label, grams, price, stock
    shape: str
    colour: str
    ocop: tuple[int, str, dt.date] | None = None  # stars, number, issued
    vietgap: tuple[str, str, dt.date] | None = None  # number, body, until
    # GTIN-13 per variant, in order: barcoded products get GS1 Digital Link
    # labels; the others get the short /q/ form. 8930001 is a made-up GS1
    # Viet Nam company prefix for the demo (`make run` sets it).
    gtins: tuple[str, ...] = ()
    # SKUs are DEMO-{tax code}-{n}: a store's second product needs its own
    # infix so its variants are not taken for the first product's.
    sku_infix: str = ""


@dataclass(frozen=True)
class DemoStore:
    tax_base: str  # 9 digits; the check digit is computed
    name: str
    kind: str
    province: str
    ward: str
    address: str
    phone: str
    intro: str
    products: list[DemoProduct] = field(default_factory=list)
    farmer: bool = False


STORES = [
    DemoStore(
        "401234567",
        "Hộ kinh doanh Nước mắm Cẩm Thanh",
        SellerKind.HOUSEHOLD,
        "Thành phố Đà Nẵng",
        "Phường Hội An Đông",
        "Cẩm Thanh, Hội An",
        "0905111222",
        "<p>Ba đời làm nước mắm bên rừng dừa Bảy Mẫu, cá cơm ủ chượp trong "
        "thùng gỗ 12 tháng.</p>",
        [
            DemoProduct(
                "Nước mắm cá cơm Cẩm Thanh",
                OcopCategory.FOOD,
                "chai",
                "<p>Nước mắm nhĩ cá cơm than, ủ chượp 12 tháng, độ đạm 35°N. "
                "Không chất bảo quản.</p>",
                [("500 ml", 650, 85_000, 40), ("1 lít", 1250, 150_000, 25)],
                "bottle",
                "#8d5524",
                ocop=(3, "OCOP-QNA-2024-0312", dt.date(2024, 6, 14)),
                gtins=("8930001000018", "8930001000025"),
            ),
            # Community tourism (OCOP "dịch vụ du lịch"): sold as dated slots
            # by market.tickets (its demo step adds the slots).
            DemoProduct(
                "Đi thuyền thúng rừng dừa Bảy Mẫu",
                OcopCategory.TOURISM,
                "vé",
                "<p>Một giờ rưỡi trên thuyền thúng qua rừng dừa nước Bảy Mẫu cùng "
                "người Cẩm Thanh: xem múa thúng, câu cua, nghe kể chuyện làng.</p>",
                [("Người lớn", 0, 150_000, 0), ("Trẻ em dưới 12 tuổi", 0, 80_000, 0)],
                "round",
                "#2e7d32",
                sku_infix="TOUR-",
            ),
        ],
        farmer=True,
    ),
    DemoStore(
        "260987654",
        "HTX Nông nghiệp Su su Tam Đảo",
        SellerKind.COOPERATIVE,
        "Tỉnh Phú Thọ",
        "Xã Tam Đảo",
        "Thôn 1, Tam Đảo",
        "0912333444",
        "<p>Su su trồng trên sườn núi Tam Đảo, hái mỗi sáng.</p>",
        [
            DemoProduct(
                "Su su Tam Đảo",
                OcopCategory.FOOD,
                "kg",
                "<p>Quả su su non, giòn ngọt, trồng theo quy trình VietGAP.</p>",
                [("1 kg", 1000, 25_000, 120), ("3 kg", 3000, 70_000, 30)],
                "round",
                "#7cb342",
                vietgap=(
                    "VietGAP-TT-12-0456",
                    "Trung tâm Chứng nhận phù hợp",
                    dt.date(2027, 9, 30),
                ),
            ),
        ],
    ),
    DemoStore(
        "261234560",
        "HTX Dứa Hướng Đạo",
        SellerKind.COOPERATIVE,
        "Tỉnh Phú Thọ",
        "Xã Tam Dương",
        "vùng dứa Hướng Đạo",
        "0912555666",
        "<p>Dứa Queen trồng trên đồi đất đỏ, chín cây mới thu hái.</p>",
        [
            DemoProduct(
                "Dứa Hướng Đạo",
                OcopCategory.FOOD,
                "quả",
                "<p>Dứa Queen chín cây, thơm, vị ngọt đậm.</p>",
                [("1 quả (~1 kg)", 1000, 20_000, 200), ("Sọt 5 quả", 5000, 95_000, 20)],
                "pineapple",
                "#f9a825",
                vietgap=(
                    "VietGAP-TT-07-1188",
                    "Trung tâm Chứng nhận phù hợp",
                    dt.date(2026, 12, 31),
                ),
            ),
        ],
    ),
    DemoStore(
        "330456789",
        "Hộ kinh doanh Mè xửng Hương Giang",
        SellerKind.HOUSEHOLD,
        "Thành phố Huế",
        "Phường Thuận Hóa",
        "đường Chi Lăng",
        "0935777888",
        "<p>Mè xửng làm tay theo cách của người Huế: mạch nha, đường, mè rang.</p>",
        [
            DemoProduct(
                "Mè xửng Huế",
                OcopCategory.FOOD,
                "hộp",
                "<p>Kẹo mè xửng dẻo, thơm mè rang, hộp giấy làm quà.</p>",
                [("Hộp 250 g", 300, 45_000, 60), ("Hộp 500 g", 560, 85_000, 35)],
                "box",
                "#c62828",
                ocop=(4, "OCOP-TTH-2025-0077", dt.date(2025, 3, 20)),
            ),
        ],
    ),
    DemoStore(
        "220345678",
        "HTX Lúa gạo Mỹ Xuyên",
        SellerKind.COOPERATIVE,
        "Thành phố Cần Thơ",
        "Phường Mỹ Xuyên",
        "ấp Hòa Mỹ",
        "0939222333",
        "<p>Gạo ST25 trồng luân canh tôm - lúa trên đất giồng cát.</p>",
        [
            DemoProduct(
                "Gạo ST25",
                OcopCategory.FOOD,
                "túi",
                "<p>Gạo ST25 hạt dài, cơm dẻo thơm mùi lá dứa.</p>",
                [("Túi 2 kg", 2000, 76_000, 80), ("Túi 5 kg", 5000, 185_000, 50)],
                "sack",
                "#e0c068",
                ocop=(5, "OCOP-ST-2023-0025", dt.date(2023, 12, 1)),
            ),
        ],
    ),
    DemoStore(
        "010567891",
        "HTX Mật ong bạc hà Đồng Văn",
        SellerKind.COOPERATIVE,
        "Tỉnh Tuyên Quang",
        "Xã Đồng Văn",
        "cao nguyên đá Đồng Văn",
        "0915444555",
        "<p>Ong nuôi trên cao nguyên đá, hút mật hoa bạc hà mùa thu.</p>",
        [
            DemoProduct(
                "Mật ong bạc hà Đồng Văn",
                OcopCategory.FOOD,
                "chai",
                "<p>Mật ong hoa bạc hà nguyên chất, vàng sánh.</p>",
                [("Chai 500 ml", 750, 250_000, 30), ("Chai 1 lít", 1450, 450_000, 12)],
                "jar",
                "#ffb300",
                ocop=(4, "OCOP-HG-2024-0101", dt.date(2024, 10, 5)),
                gtins=("8930001000032", "8930001000049"),
            ),
        ],
    ),
    DemoStore(
        "460678912",
        "HTX Chè Tân Cương",
        SellerKind.COOPERATIVE,
        "Tỉnh Thái Nguyên",
        "Xã Tân Cương",
        "xóm Hồng Thái",
        "0916666777",
        "<p>Chè búp sao tay trên vùng chè đặc sản Tân Cương.</p>",
        [
            DemoProduct(
                "Chè Thái Nguyên Tân Cương",
                OcopCategory.DRINK,
                "gói",
                "<p>Chè búp sao sấy, nước xanh, vị chát dịu, hậu ngọt.</p>",
                [("Gói 200 g", 250, 120_000, 70), ("Gói 500 g", 600, 280_000, 25)],
                "leaf",
                "#2e7d32",
                ocop=(4, "OCOP-TN-2025-0440", dt.date(2025, 5, 10)),
                vietgap=(
                    "VietGAP-TT-31-0920",
                    "Trung tâm Khuyến nông tỉnh",
                    dt.date(2028, 4, 30),
                ),
            ),
        ],
    ),
]


def _tax_code(base: str) -> str:
    for suffix in range(10):
        candidate = base[:8] + str((int(base[8]) + suffix) % 10)
        try:
            return mst.validate(candidate + mst.calc_check_digit(candidate))
        except Exception:  # noqa: S112 - some bases have no valid check digit
            continue
    raise ValueError(base)


def _seller_ensure(store: DemoStore) -> Seller:
    province = places.find_province(store.province)
    seller, _created = Seller.objects.get_or_create(
        tax_code=_tax_code(store.tax_base),
        defaults={
            "kind": store.kind,
            "legal_name": store.name,
            "phone": store.phone,
            "province_code": province,
            "ward_code": places.find_ward(province_code=province, name=store.ward),
            "address_line": store.address,
        },
    )
    if store.farmer:
        farmer = get_user_model().objects.filter(username=DEMO_FARMER_USERNAME).first()
        if farmer is not None:
            seller.users.add(farmer)
    page = seller_provision(seller=seller)
    if not page.intro:
        page.intro = store.intro
        page.save_revision().publish()
    return seller


def _product_ensure(seller: Seller, item: DemoProduct) -> ProductPage:
    product = ProductPage.objects.filter(seller=seller, title=item.title).first()
    if product is None:
        product = ProductPage(
            title=item.title,
            slug=vietnamese_slug(item.title, max_length=60),
            seller=seller,
            category=item.category,
            unit=item.unit,
            description=item.description,
        )
        seller.store_page.add_child(instance=product)
    for order, (label, grams, price, on_hand) in enumerate(item.variants):
        sku = f"DEMO-{seller.tax_code}-{item.sku_infix}{order + 1}"
        gtin = item.gtins[order] if order < len(item.gtins) else None
        variant, created = Variant.objects.get_or_create(
            sku=sku,
            defaults={
                "product": product,
                "label": label,
                "weight_g": grams,
                "price_vnd": price,
                "sort_order": order,
                "gtin": gtin,
            },
        )
        if gtin and not variant.gtin:  # a demo seeded before GTINs were added
            Variant.objects.filter(pk=variant.pk).update(gtin=gtin)
        if created:
            Stock.objects.get_or_create(variant=variant, defaults={"on_hand": on_hand})
    if not product.images.exists():
        ProductImage.objects.create(
            product=product,
            image=_photo(item, seller),
            alt_text=f"Hình minh họa: {item.title}",
        )
    if not product.live or product.latest_revision_id is None:
        product.save_revision().publish()
    return product


def _certifications_ensure(seller: Seller, product: ProductPage, item: DemoProduct):
    if item.ocop:
        stars, number, issued = item.ocop
        Certification.objects.get_or_create(
            seller=seller,
            kind=CertificationKind.OCOP,
            number=number,
            defaults={
                "product": product,
                "stars": stars,
                "issued_on": issued,
                "valid_until": ocop_valid_until(issued),
                "ocop_level": OcopLevel.PROVINCE,
                "issuer": f"UBND {seller.province_name}",
                "status": ReviewStatus.APPROVED,
            },
        )
    if item.vietgap:
        number, body, until = item.vietgap
        Certification.objects.get_or_create(
            seller=seller,
            kind=CertificationKind.VIETGAP,
            number=number,
            defaults={
                "product": product,
                "issuer": body,
                "valid_until": until,
                "issued_on": until - dt.timedelta(days=3 * 365),
                "scope": item.title,
                "status": ReviewStatus.APPROVED,
            },
        )


@transaction.atomic
def seed_market() -> None:
    """The market page and seven stores from the field with their products."""
    market_index_ensure()
    for store in STORES:
        seller = _seller_ensure(store)
        for item in store.products:
            product = _product_ensure(seller, item)
            _certifications_ensure(seller, product, item)
            product_refresh_summary(product=product)


# --- illustrations ---------------------------------------------------------

SIZE = (800, 600)


@cache
def _font(size: int):
    system = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    if system.exists():
        return ImageFont.truetype(str(system), size)
    return ImageFont.load_default(size=size)


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, colour: str) -> None:
    cx, cy = SIZE[0] // 2, 250
    ink = "#3e2723"
    if shape == "bottle":
        draw.rounded_rectangle(
            (cx - 70, cy - 90, cx + 70, cy + 150), 30, fill=colour, outline=ink, width=6
        )
        draw.rectangle(
            (cx - 25, cy - 170, cx + 25, cy - 90), fill=colour, outline=ink, width=6
        )
        draw.rectangle((cx - 55, cy, cx + 55, cy + 70), fill="#fff8e1")
    elif shape in ("round", "pineapple"):
        draw.ellipse(
            (cx - 120, cy - 110, cx + 120, cy + 130), fill=colour, outline=ink, width=6
        )
        if shape == "pineapple":
            for dx in (-50, 0, 50):
                draw.polygon(
                    [
                        (cx + dx, cy - 200),
                        (cx + dx - 30, cy - 100),
                        (cx + dx + 30, cy - 100),
                    ],
                    fill="#558b2f",
                )
    elif shape == "jar":
        draw.rounded_rectangle(
            (cx - 110, cy - 100, cx + 110, cy + 150),
            40,
            fill=colour,
            outline=ink,
            width=6,
        )
        draw.rectangle((cx - 90, cy - 150, cx + 90, cy - 100), fill="#795548")
    elif shape == "leaf":
        draw.ellipse(
            (cx - 160, cy - 80, cx + 160, cy + 80), fill=colour, outline=ink, width=6
        )
        draw.line((cx - 150, cy, cx + 150, cy), fill="#c5e1a5", width=6)
    else:  # box, sack
        draw.rounded_rectangle(
            (cx - 150, cy - 120, cx + 150, cy + 140),
            20,
            fill=colour,
            outline=ink,
            width=6,
        )


def _photo(item: DemoProduct, seller: Seller):
    """A drawn illustration of the product, saved once as a Wagtail image."""
    Image = get_image_model()
    title = f"Minh họa: {item.title}"
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    canvas = PILImage.new("RGB", SIZE, "#f3f6ef")
    draw = ImageDraw.Draw(canvas)
    _draw_shape(draw, item.shape, item.colour)
    draw.rectangle((0, 470, SIZE[0], SIZE[1]), fill="#1d5e20")
    draw.text(
        (SIZE[0] // 2, 515), item.title, font=_font(40), fill="#ffffff", anchor="mm"
    )
    draw.text(
        (SIZE[0] // 2, 568),
        "Hình minh họa",
        font=_font(22),
        fill="#e8f5e9",
        anchor="mm",
    )
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=85)
    slug = item.title.lower().replace(" ", "-")
    extra = {"collection_id": seller.collection_id} if seller.collection_id else {}
    return Image.objects.create(
        title=title, file=ImageFile(buffer, name=f"{slug}.jpg"), **extra
    )
