from django.core.management.base import BaseCommand, CommandError

from accounts import demo


class Command(BaseCommand):
    help = "Tạo các tài khoản dùng thử còn thiếu (mật khẩu demo2026 hoặc biến môi trường DEMO_PASSWORD)."

    def add_arguments(self, parser):
        parser.add_argument("--print", action="store_true", dest="print_only", help="Chỉ in danh sách tài khoản")

    def handle(self, *args, print_only, **options):
        commune = demo.default_commune()
        if commune is None:
            raise CommandError("Chưa có dữ liệu cơ quan: chạy `python manage.py load_plan` trước.")
        if not print_only:
            created = demo.ensure_demo_accounts(commune)
            self.stdout.write(f"Đã tạo {len(created)} tài khoản mới.")
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu: {demo.password()}):")
        for username, name, unit, roles in demo.describe():
            self.stdout.write(f"  {username:<16} {name} — {unit} — {roles}")
