"""The admin a farmer and the operator work in reads in Vietnamese.

Every page a farmer opens in the demo (dashboard, their store's pages, the
product editor, each of their lists with its add and edit forms, images and
documents) and the operator's lists are read for Wagtail's English texts
that have no Vietnamese (tests/cms/english_strings.py). Our own models name
every field and model in Vietnamese, so no "Variant" or "Farm" heading comes
from a field's name either.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils.text import camel_case_to_spaces
from wagtail.admin.viewsets import viewsets as wagtail_viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from market.models import ProductPage, StorePage
from tests.cms.english_strings import english_on

OUR_APPS = ("cms", "market", "traceability")


def _admin_urls(user) -> list[str]:
    """The dashboard, the store's explorer, the product editor and the
    index, add and edit views of every one of our viewsets."""
    store = StorePage.objects.filter(seller__users=user).first()
    urls = ["/admin/", "/admin/images/", "/admin/documents/"]
    if store is not None:
        product = ProductPage.objects.child_of(store).first()
        urls += [
            reverse("wagtailadmin_explore", args=[store.pk]),
            reverse("wagtailadmin_pages:edit", args=[product.pk]),
            reverse(
                "wagtailadmin_pages:add",
                args=["market", "productpage", store.pk],
            ),
        ]
    for viewset in wagtail_viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not isinstance(viewset, ModelViewSet) or model is None:
            continue
        if not model.__module__.startswith(OUR_APPS):
            continue
        for name in ("index", "add"):
            try:
                urls.append(reverse(viewset.get_url_name(name)))
            except NoReverseMatch:
                pass
        row = model.objects.first()
        if row is not None:
            try:
                urls.append(reverse(viewset.get_url_name("edit"), args=[row.pk]))
            except NoReverseMatch:
                pass
    return urls


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--no-logins", verbosity=0)


@pytest.mark.parametrize("username", ["nongdan", "vanhanh"])
def test_no_english_wagtail_text_on_the_admin_pages_in_vietnamese(
    client, demo, username, django_user_model
):
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    leaks = {}
    opened = 0
    for url in _admin_urls(user):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        opened += 1
        found = english_on(response.content.decode())
        if found:
            leaks[url] = sorted(found)
    assert opened >= 8, "the walk opened too few admin pages to mean anything"
    assert not leaks, leaks


def _from_elsewhere(model, name: str) -> bool:
    """Whether the field comes from an abstract model that is not ours."""
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or not meta.abstract or base.__module__.startswith(OUR_APPS):
            continue
        if any(field.name == name for field in meta.local_fields):
            return True
    return False


def test_every_field_and_model_of_ours_has_a_vietnamese_name():
    unnamed = []
    for model in apps.get_models():
        if not model.__module__.startswith(OUR_APPS):
            continue
        opts = model._meta
        if opts.verbose_name == camel_case_to_spaces(opts.object_name):
            unnamed.append(opts.label)
        for field in opts.get_fields(include_parents=False):
            if not field.concrete or field.auto_created:
                continue
            if _from_elsewhere(model, field.name):
                continue  # Wagtail's own (Orderable.sort_order, a setting's site)
            if str(field.verbose_name) == field.name.replace("_", " "):
                unnamed.append(f"{opts.label}.{field.name}")
    assert not unnamed, unnamed


def test_form_messages_read_as_plain_vietnamese_that_says_what_to_do():
    from django import forms
    from django.utils import translation

    price = forms.IntegerField(min_value=0, max_value=10**9)
    with translation.override("vi"):
        messages = []
        for typed in ("85.000,5", "-1", str(10**10), ""):
            try:
                price.clean(typed)
            except forms.ValidationError as error:
                messages.extend(error.messages)
    assert messages == [
        "Hãy nhập số nguyên, không có dấu chấm hay phẩy (ví dụ 85000).",
        "Hãy nhập số không nhỏ hơn 0.",
        "Hãy nhập số không lớn hơn 1000000000.",
        "Hãy điền ô này.",
    ]
    assert not any(" ." in message for message in messages)
