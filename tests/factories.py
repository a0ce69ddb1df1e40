"""The suite's one factories module: users, sellers, the catalogue, farms and
lots, orders and post offices.

    seller = SellerFactory()
    product = product_create(seller=seller, variants=[("500 ml", 85_000, 10)])
    lot = LotFactory(farm__seller=seller)
    order = order_with_shipments(sellers=[seller])

Pages hang under the market index `migrate` makes (`market_ensure` makes it
again after a transactional test's flush). Builders call the real services
(`seller_provision`, `order_place`, `order_mark_paid`), so pages, groups,
permissions and stock rows are the real thing. Tax codes and GTINs carry
correct check digits; wards are real codes from `vietnam-provinces`.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import secrets

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image as PILImage
from stdnum.vn import mst
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from market import places
from market.checkout.models import Order, ShippingTariff, ShippingZone
from market.checkout.services.numbers import (
    access_token_generate,
    order_number_generate,
)
from market.fulfilment.models import Partner, PartnerArea, WebhookEndpoint
from market.models import (
    Certification,
    CertificationKind,
    MarketIndexPage,
    OcopCategory,
    ProductImage,
    ProductPage,
    ReviewStatus,
    Seller,
    SellerApplication,
    SellerKind,
    Stock,
    StorePage,
    Variant,
)
from market.services.catalogue import product_refresh_summary
from market.services.sellers import seller_provision
from market.tickets.models import TimeSlot
from traceability.digital_link import gtin_check_digit
from traceability.models import DiaryEntry, DiaryKind, Farm, Lot

# --- Places ----------------------------------------------------------------
HA_NOI = 1
HANOI_WARD = 4  # Phường Ba Đình
HCMC = 79
HCMC_WARD = 26882  # Phường An Hội Tây
NINH_BINH = 37  # borders Hà Nội
NINH_BINH_WARD = 13579
DA_NANG = places.find_province("Thành phố Đà Nẵng")
PHU_THO = places.find_province("Tỉnh Phú Thọ")
CAN_THO = places.find_province("Thành phố Cần Thơ")
HOI_AN_DONG = places.find_ward(province_code=DA_NANG, name="Phường Hội An Đông")
HOI_AN_WARD = places.wards(DA_NANG)[0][0]
TAM_DAO = places.find_ward(province_code=PHU_THO, name="Xã Tam Đảo")


def ward_of(province_code: int, index: int = 0) -> int:
    return places.wards(province_code)[index][0]


# --- Identifiers -----------------------------------------------------------
_tax_numbers = itertools.count(500_000)
_gtin_numbers = itertools.count(1)
_seq = itertools.count(1)


def valid_tax_code(n: int | None = None) -> str:
    """A 10-digit tax code with a correct check digit: the n-th one when `n`
    is given (the same every time), else a fresh one no seller has."""
    if n is not None:
        base = f"{(n % 10**8) + 10**8:09d}"[:9]
        return base + str(mst.calc_check_digit(base))
    while True:
        base = f"{next(_tax_numbers) + 300_000_000:09d}"
        try:
            code = mst.validate(base + mst.calc_check_digit(base))
        except Exception:  # noqa: S112 - some bases have no valid check digit
            continue
        if not Seller.objects.filter(tax_code=code).exists():
            return code


def valid_gtin13() -> str:
    """A fresh GTIN-13 under Vietnam's 893 prefix with its check digit."""
    while True:
        first12 = f"8939999{next(_gtin_numbers):05d}"
        gtin = first12 + gtin_check_digit(first12)
        if not Variant.objects.filter(gtin=gtin).exists():
            return gtin


def _gtin13(n: int) -> str:
    body = f"893{n % 1_000_000_000:09d}"
    return body + gtin_check_digit(body)


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 180, 40)).save(buffer, "PNG")
    return buffer.getvalue()


# --- Users -----------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.django.Password("mat-khau-thu-123")


def user_create(username: str = "", **extra):
    return UserFactory(username=username or f"khach{next(_seq)}", **extra)


def operator_create(username: str = "vanhanh", **extra):
    """A market operator as in production: an operator-group member with the
    group's permissions, not a superuser."""
    from market.services.sellers import operator_group_ensure

    user = UserFactory(username=username, **extra)
    user.groups.add(operator_group_ensure())
    return user


# --- Sellers ---------------------------------------------------------------
class SellerFactory(factory.django.DjangoModelFactory):
    """A household seller in Hà Nội (no ward: the whole province's post
    office serves it). Pass `users=[...]` for its staff logins."""

    class Meta:
        model = Seller
        skip_postgeneration_save = True

    kind = SellerKind.HOUSEHOLD
    legal_name = factory.Sequence(lambda n: f"Hộ kinh doanh Thử Nghiệm {n}")
    tax_code = factory.LazyFunction(valid_tax_code)
    phone = factory.Sequence(lambda n: f"0905{n % 1000000:06d}")
    email = factory.Sequence(lambda n: f"nguoiban{n}@example.vn")
    province_code = HA_NOI

    @factory.post_generation
    def users(self, create, extracted, **kwargs):
        if create and extracted:
            self.users.add(*extracted)


class SellerApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerApplication

    kind = SellerKind.HOUSEHOLD
    legal_name = factory.Sequence(lambda n: f"Hộ kinh doanh Nước mắm số {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 1000))
    contact_name = "Trần Thị Hoa"
    phone = factory.Sequence(lambda n: f"0905{n:06d}")
    email = factory.Sequence(lambda n: f"nongdan{n}@example.vn")
    province_code = DA_NANG
    ward_code = HOI_AN_WARD
    bank_bin = "970405"
    bank_account_number = "1234567890"
    bank_account_name = "TRAN THI HOA"
    access_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    seller = factory.SubFactory(SellerFactory)
    kind = CertificationKind.VIETGAP
    number = factory.Sequence(lambda n: f"VG-{n:05d}")
    issuer = "Trung tâm Chứng nhận Phù hợp (Quacert)"
    scope = "Rau ăn lá, 2 ha"
    issued_on = dt.date(2025, 1, 10)
    valid_until = dt.date(2027, 1, 9)
    status = ReviewStatus.APPROVED


def market_ensure() -> MarketIndexPage:
    """The market index (slug `cho`) under the site's home page."""
    market = MarketIndexPage.objects.first()
    if market is None:
        from cms.demo import seed_site

        home = seed_site()
        existing = home.get_children().filter(slug="cho").first()
        if existing is not None:  # made by migrate, typed row lost by a flush
            existing.delete()
        market = MarketIndexPage(title="Chợ", slug="cho")
        home.add_child(instance=market)
        market.save_revision().publish()
    return market


def store_for(seller: Seller) -> StorePage:
    market_ensure()
    return seller_provision(seller=seller)


def seller_create(home_page=None, *, province_code: int = HA_NOI, name: str = ""):
    """A provisioned seller (store page, group, collection) with no login."""
    seller = SellerFactory(
        province_code=province_code,
        phone="0912345678",
        legal_name=name or f"Hộ bán hàng {next(_seq)}",
    )
    store_for(seller)
    seller.refresh_from_db()
    return seller


def seller_with_login(**kwargs):
    """A provisioned seller (store, group, collection) with its own login."""
    n = next(_seq)
    kwargs.setdefault("kind", SellerKind.COOPERATIVE)
    kwargs.setdefault("legal_name", f"Hợp tác xã Rau sạch số {n}")
    kwargs.setdefault("phone", f"0987{n:06d}")
    kwargs.setdefault("province_code", DA_NANG)
    kwargs.setdefault("ward_code", HOI_AN_WARD)
    seller = SellerFactory(**kwargs)
    user = UserFactory(username=seller.phone)
    seller.users.add(user)
    store = store_for(seller)
    seller.refresh_from_db()
    return seller, user, store


# --- Catalogue -------------------------------------------------------------
def product_create(
    *,
    seller: Seller | None = None,
    title: str = "Nước mắm cá cơm",
    variants: list[tuple] = (("500 ml", 85_000, 10),),
    category: str = OcopCategory.FOOD,
    unit: str = "chai",
    description: str = "<p>Cá cơm ủ chượp 12 tháng.</p>",
    live: bool = True,
) -> ProductPage:
    """A product page in the seller's store with variants and stock.

    `variants` holds (label, price_vnd, on_hand[, gtin]) tuples. The summary
    fields are refreshed, as the catalogue services always do."""
    seller = seller or SellerFactory()
    store = store_for(seller)
    product = ProductPage(
        title=title,
        seller=seller,
        category=category,
        unit=unit,
        description=description,
    )
    store.add_child(instance=product)
    if live:
        product.save_revision().publish()
    else:
        product.live = False
        product.save_revision()
        Page.objects.filter(pk=product.pk).update(live=False)
    for order, spec in enumerate(variants):
        label, price, on_hand = spec[:3]
        gtin = spec[3] if len(spec) > 3 else valid_gtin13()
        variant = Variant.objects.create(
            product=product,
            label=label,
            price_vnd=price,
            sku=f"T-{gtin}",
            gtin=gtin,
            weight_g=500,
            sort_order=order,
        )
        Stock.objects.create(variant=variant, on_hand=on_hand)
    return product_refresh_summary(product=product)


def product_in(store, *, title: str, price: int = 85000, live: bool = True):
    """A product page with one variant under a store (published unless not live)."""
    product = ProductPage(
        title=title,
        slug=None,
        category=OcopCategory.FOOD,
        unit="chai",
        seller=store.seller,
        live=live,
    )
    product.slug = f"san-pham-thu-{next(_seq)}"
    product.variants.add(
        Variant(
            label="500 ml",
            sku=f"SKU-{secrets.token_hex(4)}",
            price_vnd=price,
            weight_g=600,
        )
    )
    store.add_child(instance=product)
    revision = product.save_revision()
    if live:
        revision.publish()
    return product


def variant_create(
    seller: Seller,
    *,
    title: str = "",
    label: str = "chai 500 ml",
    price_vnd: int = 100_000,
    weight_g: int = 500,
    on_hand: int = 10,
    unit: str = "chai",
    sku: str = "",
) -> Variant:
    """One variant of a new product in the seller's store, with stock."""
    n = next(_seq)
    product = ProductPage(
        title=title or f"Sản phẩm {n}",
        slug=f"san-pham-{n}",
        seller=seller,
        category=OcopCategory.FOOD,
        unit=unit,
    )
    seller.store_page.add_child(instance=product)
    variant = Variant.objects.create(
        product=product,
        label=label,
        sku=sku or f"SKU-{n}",
        price_vnd=price_vnd,
        weight_g=weight_g,
    )
    Stock.objects.create(variant=variant, on_hand=on_hand)
    return variant


def certification_create(
    *,
    product: ProductPage | None = None,
    seller: Seller | None = None,
    kind: str = CertificationKind.OCOP,
    stars: int | None = 4,
    status: str = ReviewStatus.APPROVED,
    valid_until: dt.date | None = None,
    number: str | None = None,
) -> Certification:
    """A certification (approved and valid for a year unless told); the
    product's summary is refreshed."""
    seller = seller or product.seller
    cert = Certification.objects.create(
        seller=seller,
        product=product,
        kind=kind,
        stars=stars if kind == CertificationKind.OCOP else None,
        number=number or f"{kind.upper()}-{next(_gtin_numbers):05d}",
        issuer="UBND tỉnh",
        status=status,
        valid_until=valid_until or dt.date.today() + dt.timedelta(days=365),
    )
    if product is not None:
        product_refresh_summary(product=product)
    return cert


def image_create(*, title: str = "Ảnh thử", color: str = "#2e7d32", size=(800, 600)):
    """A real JPEG saved as a Wagtail image."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="JPEG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title}.jpg")
    )


def product_photo_add(*, product: ProductPage, alt_text: str = "") -> ProductImage:
    return ProductImage.objects.create(
        product=product, image=image_create(title=product.title), alt_text=alt_text
    )


class ProductPageFactory(factory.django.DjangoModelFactory):
    """A product page row under Wagtail's root (no store, no revision: the
    traceability tests need the row, not where it sits in the site)."""

    class Meta:
        model = ProductPage

    title = factory.Sequence(lambda n: f"Nước mắm cá cơm {n}")
    slug = factory.Sequence(lambda n: f"san-pham-{n}")
    seller = factory.SubFactory(SellerFactory)
    category = OcopCategory.FOOD
    unit = "chai"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = model_class(*args, **kwargs)
        _root_page().add_child(instance=page)
        return page


def _root_page() -> Page:
    """Wagtail's root page; `transaction=True` tests flush the one the
    migrations made, so make it again when it is gone."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductPageFactory)
    label = "chai 500 ml"
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    gtin = factory.Sequence(lambda n: _gtin13(n + 1))
    price_vnd = 150_000


# --- Farms and lots --------------------------------------------------------
class FarmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Farm

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Vườn số {n}")
    province_code = HA_NOI
    crops = "su su"


class DiaryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiaryEntry

    farm = factory.SubFactory(FarmFactory)
    kind = DiaryKind.OBSERVATION
    occurred_at = factory.LazyFunction(
        lambda: dt.datetime(2026, 9, 1, 7, 0, tzinfo=dt.UTC)
    )
    note = "Cây phát triển tốt"


class LotFactory(factory.django.DjangoModelFactory):
    """A lot row only (no events). Use `traceability.services.lots.lot_create`
    when the test needs the commissioning event and the PHI rule."""

    class Meta:
        model = Lot

    farm = factory.SubFactory(FarmFactory)
    variant = factory.SubFactory(
        VariantFactory, product__seller=factory.SelfAttribute("...farm.seller")
    )
    code = factory.Sequence(lambda n: f"L{n:05d}")
    harvested_on = dt.date(2026, 10, 1)
    packed_on = dt.date(2026, 10, 2)
    best_before = dt.date(2027, 10, 1)
    quantity = 500


# --- Orders, tariffs and post offices --------------------------------------
class OrderFactory(factory.django.DjangoModelFactory):
    """An order row made directly (no lines): for payment tests."""

    class Meta:
        model = Order

    number = factory.LazyFunction(order_number_generate)
    access_token = factory.LazyFunction(access_token_generate)
    customer_name = "Trần Thị Mai"
    phone = "0912345678"
    email = "mai@example.vn"
    province_code = HA_NOI
    address_line = "12 Phố Huế"
    payment_method = "card"
    subtotal_vnd = 120_000
    shipping_vnd = 30_000
    total_vnd = factory.LazyAttribute(lambda o: o.subtotal_vnd + o.shipping_vnd)


def tariffs_create() -> None:
    """A small table: 1 kg / 3 kg brackets per zone, 5 000 đ per extra kg,
    in place of the defaults `migrate` gives."""
    ShippingTariff.objects.all().delete()
    rows = {
        ShippingZone.SAME_PROVINCE: (20_000, 25_000),
        ShippingZone.NEIGHBOUR: (30_000, 38_000),
        ShippingZone.OTHER: (40_000, 52_000),
    }
    for zone, (light, heavy) in rows.items():
        ShippingTariff.objects.create(zone=zone, max_weight_g=1000, fee_vnd=light)
        ShippingTariff.objects.create(
            zone=zone, max_weight_g=3000, fee_vnd=heavy, extra_per_kg_vnd=5_000
        )


def tariffs_ensure() -> None:
    """One flat 30 000 đ bracket per zone in place of the defaults."""
    ShippingTariff.objects.exclude(max_weight_g=30_000).delete()
    for zone in ShippingZone.values:
        ShippingTariff.objects.get_or_create(
            zone=zone, max_weight_g=30_000, defaults={"fee_vnd": 30_000}
        )


def order_with_shipments(*, sellers, quantity=2, price=150_000, pay=True):
    """An order placed through checkout's `order_place` with one line per
    seller (each line's variant belongs to that seller), then paid through
    `order_mark_paid` unless `pay` is False."""
    from market.checkout.services import (
        Customer,
        LineRequest,
        ShippingAddress,
        order_mark_paid,
        order_place,
    )

    tariffs_ensure()
    lines = []
    for seller in sellers:
        variant = VariantFactory(product__seller=seller, price_vnd=price, weight_g=600)
        Stock.objects.update_or_create(variant=variant, defaults={"on_hand": 50})
        lines.append(LineRequest(variant_id=variant.pk, quantity=quantity))
    order = order_place(
        cart_lines=lines,
        customer=Customer(
            name="Trần Thị Mai", phone="0987654321", email="mai@example.vn"
        ),
        address=ShippingAddress(
            province_code=HA_NOI, ward_code=ward_of(HA_NOI, 3), line="12 ngõ 5 phố Huế"
        ),
        payment_method="card",
    )
    if pay:
        # Checkout announces the payment after commit; run those callbacks
        # as a real commit would (tests run inside one transaction).
        with TestCase.captureOnCommitCallbacks(execute=True):
            order = order_mark_paid(order=order, paid_at=timezone.now())
    return order


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bưu cục số {n}")
    code = factory.Sequence(lambda n: f"bc{n}")
    province_code = HA_NOI
    phone = "02433334444"

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.staff.add(*extracted)


class PartnerAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerArea

    partner = factory.SubFactory(PartnerFactory)
    province_code = HA_NOI
    ward_code = None


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    partner = factory.SubFactory(PartnerFactory)
    url = "http://127.0.0.1:9/hook"
    secret = factory.LazyFunction(lambda: secrets.token_hex(16))


# --- Tourism tickets -------------------------------------------------------
def tour_create(seller, *, title="Đi thuyền thúng rừng dừa", price_vnd=150_000):
    """A tourism product (OCOP "dịch vụ du lịch") with one ticket variant."""
    variant = variant_create(
        seller, title=title, label="Người lớn", price_vnd=price_vnd, on_hand=0
    )
    ProductPage.objects.filter(pk=variant.product_id).update(
        category=OcopCategory.TOURISM, unit="vé"
    )
    variant.product.refresh_from_db()
    return variant


def slot_create(variant, *, capacity=10, in_hours=24, minutes=90) -> TimeSlot:
    starts = timezone.now() + dt.timedelta(hours=in_hours)
    return TimeSlot.objects.create(
        variant=variant,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        capacity=capacity,
    )


def tickets_order(slot, *, customer, address, quantity=1, extra=(), method="vietqr"):
    from market.checkout.services import LineRequest, order_place

    return order_place(
        cart_lines=[LineRequest(slot.variant_id, quantity, slot.pk), *extra],
        customer=customer,
        address=address,
        payment_method=method,
    )


def pay(order):
    """Paid as a verified bank transfer would record it (VietQR)."""
    from market.checkout.services import order_mark_paid
    from market.payments.models import Payment

    Payment.objects.create(
        order=order,
        provider="vietqr",
        amount_vnd=order.total_vnd,
        status="succeeded",
        idempotency_key=f"test-{order.number}",
    )
    return order_mark_paid(order=order, paid_at=timezone.now())
