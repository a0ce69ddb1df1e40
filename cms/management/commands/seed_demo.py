"""Fill the site with demo data. Idempotent: a second run changes nothing."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms import demo

# Each step is "module:function", called in order. A feature that needs demo
# data adds its step here.
STEPS = [
    "cms.demo:seed_site",
    "market.demo:seed_market",
    "traceability.demo:seed_traceability",
    "traceability.demo_scans:seed_scans",
    "market.checkout.demo:seed_checkout",
    "market.fulfilment.demo:seed_fulfilment",
    "market.tickets.demo:seed_tickets",
]


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu cho bản chạy thử (chạy lại nhiều lần vẫn an toàn)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Không in tài khoản thử (make run in chúng ở cuối, bằng demo_logins).",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # Demo accounts have their passwords in the README.
            raise CommandError(
                _(
                    "Không chạy seed_demo khi PRODUCTION=1: dữ liệu mẫu có tài khoản "
                    "với mật khẩu ai cũng biết. Không có gì bị thay đổi. Tạo người "
                    "vận hành bằng lệnh `manage.py create_operator TÊN_ĐĂNG_NHẬP`."
                )
            )
        for step in STEPS:
            module_name, func_name = step.split(":")
            self.stdout.write(f"· {step}")
            getattr(import_module(module_name), func_name)()
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu đã sẵn sàng."))
        if not options["no_logins"]:
            for line in demo.login_lines():
                self.stdout.write(line)
