"""The last lines `make run` prints: where the demo is, its logins, where its
e-mails and background logs go. Printed last so they stay on screen."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cms import demo

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def _shown(path: str) -> str:
    try:
        return f"{Path(path).resolve().relative_to(settings.BASE_DIR)}/"
    except ValueError:
        return f"{path}/"


class Command(BaseCommand):
    help = "In địa chỉ bản chạy thử, tài khoản thử và nơi lưu thư điện tử."

    def add_arguments(self, parser):
        parser.add_argument("--site", default=settings.SITE_URL)
        parser.add_argument("--gateway", default="")
        parser.add_argument("--logs", default="", help="thư mục nhật ký nền")

    def handle(self, *args, **options):
        site = options["site"].rstrip("/")
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("Nguồn Quê đã chạy."))
        write(f"  Trang web: {site}/   Quản trị: {site}/admin/")
        if options["gateway"]:
            write(
                f"  Cổng thẻ thử: {options['gateway']}"
                " (thẻ 4242 4242 4242 4242 trả được; 4000 0000 0000 0341 bị từ chối)"
            )
        if settings.EMAIL_BACKEND == FILE_BACKEND:
            write(
                f"  Thư điện tử gửi đi: {_shown(settings.EMAIL_FILE_PATH)}"
                " (mỗi thư một tệp)"
            )
        if options["logs"]:
            write(f"  Nhật ký cổng thẻ và việc chạy nền: {_shown(options['logs'])}")
        for line in demo.login_lines():
            write(line)
        write("Nhấn Ctrl-C để dừng.")
        write("")
