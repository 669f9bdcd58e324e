from django.core.management.base import BaseCommand

from plans.formatting import date_vn
from rounds.services import open_round
from workflows.errors import WorkflowError

from ._common import as_command_error, find_period, find_user


class Command(BaseCommand):
    help = "Mở kỳ báo cáo: tạo dự thảo báo cáo cho mọi đơn vị phải báo cáo (chạy lại không tạo thêm)."

    def add_arguments(self, parser):
        parser.add_argument("period", help="Mã kỳ báo cáo, ví dụ 2026-H1")
        parser.add_argument("--user", help="Tên đăng nhập của cán bộ Phòng VH-XH (mặc định: cán bộ soạn thảo đầu tiên)")
        parser.add_argument("--plan", help="Mã kế hoạch, khi có nhiều kế hoạch cùng mã kỳ")

    def handle(self, *args, **options):
        period = find_period(options["period"], options.get("plan"))
        user = find_user(options.get("user"), period)
        try:
            result = open_round(period, user)
        except WorkflowError as exc:
            raise as_command_error(exc) from None
        self.stdout.write(f"Kỳ báo cáo: {period.name} ({period.code}). {result.data_window} Hạn nộp: {date_vn(period.deadline)}.")
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Đã tạo {len(result.created)} dự thảo báo cáo:"))
            for doc in result.created:
                self.stdout.write(f"  - {doc.unit.name}")
        else:
            self.stdout.write(f"Kỳ đã được mở trước đó; không tạo thêm dự thảo nào ({result.existing} báo cáo đã có).")
