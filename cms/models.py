"""The editorial site: home page, commune news, and site-wide settings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from market import page_cache
from market.page_cache import CachedPageMixin
from market.slugs import VietnameseSlugMixin


class HomePage(CachedPageMixin, VietnameseSlugMixin, Page):
    """The front door: what the market is, and the way into it."""

    lead = models.CharField(_("câu giới thiệu"), max_length=250, blank=True)
    body = RichTextField(
        _("nội dung"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "link", "ul", "ol"],
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "market.MarketIndexPage",
        "cms.NewsIndexPage",
        "places.PlaceIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("trang chủ")

    def page_cache_tags(self) -> set[str]:
        return {page_cache.CATALOGUE}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = (
            NewsPage.objects.live().public().descendant_of(self).order_by("-date")[:3]
        )
        return context


class NewsIndexPage(CachedPageMixin, VietnameseSlugMixin, Page):
    intro = RichTextField(
        _("giới thiệu"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang tin tức")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().public().child_of(self).order_by("-date")
        context["page_obj"] = Paginator(items, 10).get_page(request.GET.get("trang"))
        return context


class NewsPage(CachedPageMixin, VietnameseSlugMixin, Page):
    """A piece of commune news (a market day, a recall notice, a training)."""

    date = models.DateField(_("ngày đăng"))
    summary = models.CharField(_("tóm tắt"), max_length=300, blank=True)
    body = RichTextField(
        _("nội dung"),
        features=["h2", "h3", "bold", "italic", "link", "ul", "ol", "image"],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("bản tin")
        verbose_name_plural = _("bản tin")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contact details shown in the footer, editable by the operator."""

    hotline = models.CharField(_("đường dây nóng"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail liên hệ"), blank=True)
    operator_name = models.CharField(
        _("đơn vị vận hành"),
        max_length=200,
        blank=True,
        default="Ban quản lý chợ nông sản xã",
    )

    panels = [
        FieldPanel("operator_name"),
        FieldPanel("hotline"),
        FieldPanel("contact_email"),
    ]

    class Meta:
        verbose_name = _("thông tin trang web")


class SearchSynonym(models.Model):
    """Names shoppers use for the same product, added by the operator on top
    of the reviewed table in `cms/search/synonyms_vi.txt`."""

    terms = models.CharField(
        _("các tên cùng nghĩa"),
        max_length=300,
        help_text=_(
            "Các tên gọi của cùng một thứ, cách nhau bằng dấu phẩy, viết có dấu. "
            "Ví dụ: dứa, khóm, thơm"
        ),
    )
    note = models.CharField(
        _("ghi chú"),
        max_length=200,
        blank=True,
        help_text=_("Vùng miền hoặc nguồn, ví dụ: miền Nam gọi là khóm."),
    )

    panels = [FieldPanel("terms"), FieldPanel("note")]

    class Meta:
        verbose_name = _("từ đồng nghĩa tìm kiếm")
        verbose_name_plural = _("từ đồng nghĩa tìm kiếm")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def clean(self):
        from django.core.exceptions import ValidationError

        from cms.search.synonyms import parse_groups

        super().clean()
        if not parse_groups(self.terms):
            raise ValidationError(
                {
                    "terms": _(
                        "Cần ít nhất hai tên khác nhau, cách nhau bằng dấu phẩy, "
                        "ví dụ: ngô, bắp"
                    )
                }
            )
