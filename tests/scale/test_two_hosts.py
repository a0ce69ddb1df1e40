"""Two app hosts, proven: what one host does, the other shows.

Two gunicorn hosts on different ports with different working folders
(MEDIA_ROOT, SEARCH_INDEX_PATH: nothing shared on disk) and one RQ worker
share only what several machines share: this test's PostgreSQL database,
Redis (cache, sessions, tasks), moto's S3 server and the search engine
(SEARCH_BACKEND=postgres: our PostgreSQL full-text engine).
"""

from __future__ import annotations

import io
import os
import re
import time
import uuid

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from PIL import Image as PILImage

from bench.hosts import Host, Worker, shared_env
from tests.factories import (
    FarmFactory,
    LotFactory,
    SellerFactory,
    UserFactory,
    market_ensure,
    product_create,
)
from tests.s3_server import s3_client, s3_server  # noqa: F401
from tests.traceability.scan_helpers import signed_path

# Not marked slow: it is the PostgreSQL pass's own (skipped on SQLite).
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two hosts share one PostgreSQL database (SQLite is one host's file)",
    ),
]

REDIS_DB = "redis://127.0.0.1:6379/6"
PASSWORD = "mat-khau-thu-123"  # tests.factories.UserFactory's


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_DB)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise  # .ci/run starts Redis: missing here is a failure
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()  # database 6 is this test's own


@pytest.fixture
def hosts(transactional_db, s3_server, s3_client, tmp_path):  # noqa: F811
    _redis_or_skip()
    suffix = uuid.uuid4().hex[:8]
    media, private = f"nq-media-{suffix}", f"nq-private-{suffix}"
    for bucket in (media, private):
        s3_client.create_bucket(Bucket=bucket)
    db = connection.settings_dict
    env = shared_env(
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        redis_url=REDIS_DB,
        s3_endpoint=s3_server,
        media_bucket=media,
        private_bucket=private,
        SEARCH_BACKEND="postgres",
    )
    a = Host("host-a", tmp_path / "a", env, workers=1)
    b = Host("host-b", tmp_path / "b", env, workers=1)
    worker = Worker("worker", tmp_path / "w", env)
    try:
        for process in (worker, a, b):
            process.start()
        yield {"a": a, "b": b, "worker": worker, "media": media}
    finally:
        for process in (worker, a, b):
            process.stop()


def _login(host: Host, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{host.url}/admin/login/", timeout=30)
    response = session.post(
        f"{host.url}/admin/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page.text),
        },
        headers={"Referer": f"{host.url}/admin/login/"},
        timeout=30,
    )
    assert response.status_code == 200 and "/admin/login/" not in response.url
    return session


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post_form(session, host: Host, path: str, data: dict, files=None):
    form = session.get(f"{host.url}{path}", timeout=30)
    assert form.status_code == 200, form.text[:300]
    return session.post(
        f"{host.url}{path}",
        data={**data, "csrfmiddlewaretoken": _csrf(form.text)},
        files=files,
        headers={"Referer": f"{host.url}{path}"},
        timeout=60,
    )


def _until(check, *, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def _search(host: Host, query: dict) -> str:
    return requests.get(f"{host.url}/search/", params=query, timeout=30).text


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (900, 600), "#b5651d").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_what_host_a_does_host_b_shows(hosts, home_page):
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from market.models import ProductImage, ProductPage

    a, b = hosts["a"], hosts["b"]
    market_ensure()
    seller = SellerFactory()
    draft = product_create(seller=seller, title="Mắc ca Tây Nguyên sấy", live=False)
    variant = draft.variants.get()
    operator = UserFactory(username="vanhanh-2host", is_superuser=True, is_staff=True)
    # The hosts run the real settings' hashers, not the tests' MD5.
    operator.password = PBKDF2PasswordHasher().encode(PASSWORD, "muoi2host", 1000)
    operator.save(update_fields=["password"])
    farm = FarmFactory(seller=seller)
    lot = LotFactory(farm=farm, variant=variant, code="L2HOST", serials_issued=10)
    label_lot = LotFactory(farm=farm, variant=variant, code="L2TEM")
    on_a = _login(a, operator.username)
    on_b = _login(b, operator.username)  # a session made on A would do too
    product_path = draft.get_url()
    query = {"q": "Mắc ca Tây Nguyên"}
    assert f'href="{product_path}"' not in _search(b, query)

    # An image uploaded on A ...
    uploaded = _post_form(
        on_a,
        a,
        "/admin/images/add/",
        {"title": "Mắc ca", "collection": str(Collection.get_first_root_node().pk)},
        files={"file": ("mac-ca.jpg", _jpeg(), "image/jpeg")},
    )
    assert uploaded.status_code == 200, uploaded.text[:300]
    image = get_image_model().objects.get(title="Mắc ca")
    page = ProductPage.objects.get(pk=draft.pk)
    page.images = [ProductImage(image=image, alt_text="Hạt mắc ca sấy")]
    page.save_revision()

    # ... the product published through A ...
    published = _post_form(
        on_a,
        a,
        f"/admin/bulk/wagtailcore/page/publish/?id={draft.pk}&next=/admin/",
        {"include_descendants": ""},
    )
    assert published.status_code == 200, published.text[:300]
    draft.refresh_from_db()
    assert draft.live

    # ... is found by search on B within 5 s ...
    def found_on_b():
        return f'href="{product_path}"' in _search(b, query)

    assert _until(found_on_b, seconds=5)

    # ... and its page renders on B with the image, from the shared bucket.
    product_url = f"{b.url}{product_path}"
    html = requests.get(product_url, timeout=30).text
    tag = re.search(r'<img[^>]*alt="Hạt mắc ca sấy"[^>]*>', html)
    assert tag, html[:2000]
    src = re.search(r'src="([^"]+)"', tag.group(0))
    assert src.group(1).startswith(f"{hosts['worker'].env['S3_ENDPOINT_URL']}/")
    picture = requests.get(src.group(1), timeout=30)
    assert picture.status_code == 200
    assert picture.headers["Content-Type"] == "image/webp"
    assert not any((b.folder / "media").rglob("*.*"))  # nothing on B's disk

    # B's product page is in the cache; B's scan page says genuine.
    for _ in range(2):
        cached = requests.get(product_url, timeout=30)
    assert cached.headers["X-Cache"] == "hit"
    scan = f"{b.url}{signed_path(lot, '1')}"
    assert 'data-verdict="genuine"' in requests.get(scan, timeout=30).text

    # A recall made on A shows red on B's scan page at once, and B's product
    # page is not served stale from the cache.
    recalled = _post_form(
        on_a,
        a,
        f"/admin/truy-xuat/thu-hoi/{lot.pk}/",
        {"reason": "Phát hiện nấm mốc trong lô hàng", "confirm": "on"},
    )
    assert recalled.status_code == 200, recalled.text[:300]
    assert 'data-verdict="recalled"' in requests.get(scan, timeout=30).text
    after = requests.get(product_url, timeout=30)
    assert after.headers["X-Cache"] == "miss"
    assert "L2HOST" in after.text

    # A label PDF asked for on A, rendered by the worker, downloads through B.
    asked = _post_form(
        on_a,
        a,
        f"/admin/truy-xuat/lo/{label_lot.pk}/",
        {"count": "8", "columns": "4", "rows": "10"},
    )
    assert asked.status_code == 200, asked.text[:300]
    run_id = re.search(r"/truy-xuat/tem/(\d+)/", asked.url).group(1)
    download = f"{b.url}/admin/truy-xuat/tem/{run_id}/tai-ve/"

    def pdf_on_b():
        response = on_b.get(download, timeout=30)
        return response if response.status_code == 200 else None

    pdf = _until(pdf_on_b, seconds=60)
    assert pdf, hosts["worker"].log_tail()
    assert pdf.content.startswith(b"%PDF")
    # A stranger gets the sign-in page, not the labels.
    stranger = requests.get(download, timeout=30, allow_redirects=False)
    assert (
        stranger.status_code == 302 and "/admin/login/" in stranger.headers["Location"]
    )
