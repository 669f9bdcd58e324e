from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = "Nạp dữ liệu xã Diễn Châu và các tài khoản dùng thử (chạy lại nhiều lần không thay đổi gì)."

    def handle(self, *args, **options):
        verbosity = options.get("verbosity", 1)
        call_command("load_plan", verbosity=verbosity, stdout=self.stdout)
        created = demo.ensure_demo_accounts(demo.default_commune())
        if verbosity:
            self.stdout.write(f"Tài khoản dùng thử mới tạo: {len(created)}.")
