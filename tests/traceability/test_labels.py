import random
import shutil
import subprocess

import pytest
import qrcode
import zxingcpp
from django.core.exceptions import ValidationError
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import MODE_8BIT_BYTE, QRData

from tests.factories import LotFactory
from tests.traceability.pdf_pages import pdf_page_images
from traceability import labels as rendering
from traceability import qr
from traceability.models import LabelRunStatus, LotStatus
from traceability.services.labels import (
    label_job,
    label_run_create,
    label_run_render,
)
from traceability.services.links import link_resolve


def _decode(image: Image.Image) -> list[str]:
    # Black on white only: an inverted page must not pass.
    codes = zxingcpp.read_barcodes(image.convert("L"), try_invert=False)
    return [r.text for r in codes]


def _resolve_all(texts):
    found = []
    for text in texts:
        lot, serial, ok = link_resolve(
            path_and_query=text.removeprefix("http://testserver")
        )
        found.append((lot, serial, ok))
    return found


@pytest.mark.parametrize("version", [2, 4, 5, 6, 7, 10])
def test_the_stamper_draws_the_same_code_as_qrcode(version):
    stamper = qr.QrStamper(version=version)
    rng = random.Random(version)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/:.?=&-_"

    for _ in range(25):
        length = rng.randint(1, stamper.data_capacity - 3)
        data = "".join(rng.choice(alphabet) for _ in range(length))
        code = qrcode.QRCode(
            version=version,
            error_correction=ERROR_CORRECT_M,
            border=qr.QUIET_ZONE,
            mask_pattern=qr.BULK_MASK_PATTERN,
        )
        # Byte mode, as the stamper writes (qrcode would pick numeric for "7").
        code.add_data(QRData(data.encode(), mode=MODE_8BIT_BYTE))
        code.make(fit=False)

        expected = qr.matrix_image(code.get_matrix(), scale=2)
        assert stamper.image(data, scale=2).tobytes() == expected.tobytes()


@pytest.mark.django_db
def test_runs_reserve_serial_ranges_that_never_overlap():
    lot = LotFactory()

    first = label_run_create(lot=lot, count=20)
    second = label_run_create(lot=lot, count=10)

    lot.refresh_from_db()
    assert (first.first_serial, second.first_serial) == (1, 21)
    assert lot.serials_issued == 30


@pytest.mark.django_db
def test_a_recalled_lot_gets_no_new_labels():
    lot = LotFactory(status=LotStatus.RECALLED)

    with pytest.raises(ValidationError):
        label_run_create(lot=lot, count=5)

    lot.refresh_from_db()
    assert lot.serials_issued == 0


@pytest.mark.django_db
def test_a_grid_too_dense_for_a_readable_code_is_refused():
    lot = LotFactory()

    with pytest.raises(ValidationError, match="quá dày"):
        label_run_create(lot=lot, count=5, columns=12, rows=30)


@pytest.mark.django_db
def test_every_label_on_the_rendered_pages_decodes_to_its_own_lot_and_serial():
    lot = LotFactory(serials_issued=0)
    label_run_create(lot=lot, count=5)  # serials 1-5 go to an earlier run
    run = label_run_create(lot=lot, count=45)

    pages = list(rendering.iter_pages(label_job(run=run)))

    assert len(pages) == 2  # 4 x 10 per page
    texts = [text for page in pages for text in _decode(page)]
    resolved = _resolve_all(texts)
    assert len(texts) == 45
    assert {lot_found for lot_found, _s, _ok in resolved} == {lot}
    assert all(ok for _l, _s, ok in resolved)
    assert sorted(int(s) for _l, s, _ok in resolved) == list(range(6, 51))


@pytest.mark.django_db
def test_the_pdf_holds_the_pages_and_its_labels_decode_after_a_round_trip(
    django_capture_on_commit_callbacks,
):
    lot = LotFactory(variant__gtin=None)  # short /q/ links
    with django_capture_on_commit_callbacks(execute=True):
        run = label_run_create(lot=lot, count=50, columns=3, rows=8)

    run.refresh_from_db()
    assert run.status == LabelRunStatus.DONE
    assert run.progress == 50
    pages = pdf_page_images(run.pdf.path)
    assert len(pages) == 3  # 24 + 24 + 2
    # The PDF embeds exactly the page images we drew.
    drawn = rendering.render_page(label_job(run=run), 2)
    assert pages[2].convert("1").tobytes() == drawn.tobytes()
    texts = _decode(pages[1])
    assert len(texts) == 24
    serials = sorted(int(serial) for _l, serial, ok in _resolve_all(texts) if ok)
    assert serials == list(range(25, 49))


@pytest.mark.django_db
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_a_page_rendered_by_poppler_decodes(tmp_path):
    lot = LotFactory()
    run = label_run_create(lot=lot, count=12, columns=3, rows=4)
    run = label_run_render(run=run)

    pdftoppm = shutil.which("pdftoppm")
    subprocess.run(  # noqa: S603 - our own file, fixed arguments
        [pdftoppm, "-r", "200", "-gray", "-png", run.pdf.path, str(tmp_path / "p")],
        check=True,
    )

    (page,) = list(tmp_path.glob("p*.png"))
    resolved = _resolve_all(_decode(Image.open(page)))
    assert sorted((s, ok) for _l, s, ok in resolved) == sorted(
        (str(n), True) for n in range(1, 13)
    )


@pytest.mark.django_db
def test_rendering_twice_does_not_redraw_a_finished_run():
    lot = LotFactory()
    run = label_run_render(run=label_run_create(lot=lot, count=3))
    first_file = run.pdf.name

    again = label_run_render(run=run)

    assert again.pdf.name == first_file


def test_a_missing_font_fails_with_a_message_that_says_what_to_install(monkeypatch):
    rendering.font.cache_clear()
    monkeypatch.setattr(rendering, "FONT_DIR", "/nonexistent")
    try:
        with pytest.raises(rendering.LabelError, match="fonts-dejavu-core"):
            rendering.font(rendering.FONT_REGULAR, 20)
    finally:
        rendering.font.cache_clear()


@pytest.mark.django_db
def test_a_run_that_cannot_be_drawn_is_marked_failed_with_the_reason(monkeypatch):
    lot = LotFactory()
    run = label_run_create(lot=lot, count=3)
    rendering.font.cache_clear()
    monkeypatch.setattr(rendering, "FONT_DIR", "/nonexistent")
    try:
        run = label_run_render(run=run)
    finally:
        rendering.font.cache_clear()

    assert run.status == LabelRunStatus.FAILED
    assert "fonts-dejavu-core" in run.error
    assert not run.pdf


@pytest.mark.django_db(transaction=True)  # the worker takes its own transactions
def test_with_the_database_queue_a_run_waits_for_the_worker_then_is_drawn(settings):
    # `make run` queues tasks in the database: printing answers at once and
    # the worker process draws the sheet while the page shows its progress.
    from django.core.management import call_command

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "search"],
        }
    }
    lot = LotFactory()
    run = label_run_create(lot=lot, count=3)
    run.refresh_from_db()
    assert run.status == LabelRunStatus.QUEUED
    assert not run.pdf

    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")

    run.refresh_from_db()
    assert run.status == LabelRunStatus.DONE
    assert run.progress == 3
    texts = [t for page in pdf_page_images(run.pdf.path) for t in _decode(page)]
    serials = sorted(serial for _lot, serial, _ok in _resolve_all(texts))
    assert serials == ["1", "2", "3"]
