"""Staff UI for stock: a farmer counts what is on the shelf and types it in.

One page lists the variants of the stores the user manages (every store for
the operator, with a store filter), 50 a page, each with its units on hand
and the units orders hold. Only the rows whose number changed are written,
each through `stock_set` (which refuses a count below what orders hold); a
row that is refused keeps what was typed and says why, the others are saved.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks

from market.access import sellers_of
from market.models import Variant
from market.services.catalogue import StockError, stock_set
from market.staff.access import StoreStaffMenuItem, StoreStaffViewMixin

PER_PAGE = 50


def stock_variants(*, user, seller_id=None):
    """Variants whose stock this user may set, in store and shelf order."""
    variants = Variant.objects.filter(
        product__seller__in=sellers_of(user)
    ).select_related("product__seller", "stock")
    if seller_id:
        variants = variants.filter(product__seller_id=seller_id)
    return variants.order_by(
        "product__seller__legal_name", "product__title", "sort_order", "pk"
    )


class StockRowForm(forms.Form):
    on_hand = forms.IntegerField(
        min_value=0,
        max_value=10_000_000,
        error_messages={
            "required": _("Hãy nhập số (0 nếu đã hết)."),
            "invalid": _("Chỉ nhập số nguyên, ví dụ 25."),
            "min_value": _("Số lượng không được âm."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    # The number the page showed: a row counts as changed only when the
    # farmer typed another one, so a sale that moved the stock after the
    # page was opened is not overwritten by an untouched row.
    shown = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, variant: Variant, **kwargs):
        self.variant = variant
        stock = getattr(variant, "stock", None)
        self.held = stock.allocated if stock else 0
        on_hand = stock.on_hand if stock else 0
        kwargs["initial"] = {"on_hand": on_hand, "shown": on_hand}
        kwargs["prefix"] = f"v{variant.pk}"
        super().__init__(*args, **kwargs)

    def typed(self) -> bool:
        """The farmer typed a number other than the one shown."""
        return self.cleaned_data["on_hand"] != self.cleaned_data.get("shown")


def save_stock_rows(rows: list[StockRowForm]) -> int:
    """Save the rows whose number the farmer changed, each through
    `stock_set`; a refused row gets the reason as its error and keeps what
    was typed. Returns how many rows were saved."""
    saved = 0
    for row in rows:
        if not row.is_valid() or not row.typed():
            continue
        try:
            stock_set(variant=row.variant, on_hand=row.cleaned_data["on_hand"])
        except StockError as exc:
            row.add_error("on_hand", str(exc))
        else:
            saved += 1
    return saved


class StockView(StoreStaffViewMixin, TemplateView):
    template_name = "market/staff/stock.html"
    page_title = _("Tồn kho")
    header_icon = "list-ul"

    def _page(self):
        """The user's stores (the filter lists them), the chosen one (None
        for all) and the page of variants."""
        sellers = list(sellers_of(self.request.user))
        seller_id = self.request.GET.get("seller", "")
        if seller_id not in {str(seller.pk) for seller in sellers}:
            seller_id = None
        variants = stock_variants(user=self.request.user, seller_id=seller_id)
        page = Paginator(variants, PER_PAGE).get_page(self.request.GET.get("p"))
        return sellers, seller_id, page

    def _render(self, sellers, seller_id, page, rows):
        return self.render_to_response(
            self.get_context_data(
                rows=rows, page=page, sellers=sellers, seller_id=seller_id
            )
        )

    def get(self, request, *args, **kwargs):
        sellers, seller_id, page = self._page()
        rows = [StockRowForm(variant=variant) for variant in page]
        return self._render(sellers, seller_id, page, rows)

    def post(self, request, *args, **kwargs):
        sellers, seller_id, page = self._page()
        rows = [StockRowForm(request.POST, variant=variant) for variant in page]
        saved = save_stock_rows(rows)
        failed = sum(1 for row in rows if row.errors)
        if not failed:
            if saved:
                messages.success(
                    request, _("Đã lưu tồn kho của %(n)s loại hàng.") % {"n": saved}
                )
            else:
                messages.info(request, _("Không có số nào thay đổi."))
            return redirect(request.get_full_path())
        messages.error(
            request,
            _(
                "%(failed)s dòng chưa lưu được (có lời nhắc bên dưới): hãy sửa rồi "
                "bấm “Lưu tồn kho”. %(saved)s dòng khác đã được lưu."
            )
            % {"failed": failed, "saved": saved},
        )
        return self._render(sellers, seller_id, page, rows)


@hooks.register("register_admin_urls")
def register_stock_url():
    return [path("ton-kho/", StockView.as_view(), name="market_stock")]


@hooks.register("register_admin_menu_item")
def register_stock_menu_item():
    return StoreStaffMenuItem(
        _("Tồn kho"), reverse("market_stock"), icon_name="list-ul", order=305
    )
