from django.core.management.base import BaseCommand

from rounds.compile import compile_period, verdict_label
from workflows.errors import WorkflowError

from ._common import as_command_error, find_period, find_user

class Command(BaseCommand):
    help = "Tạo (nếu chưa có) và tổng hợp số liệu báo cáo tổng hợp của một kỳ từ các báo cáo đơn vị đã duyệt."

    def add_arguments(self, parser):
        parser.add_argument("period", help="Mã kỳ báo cáo, ví dụ 2026-H1")
        parser.add_argument("--user", help="Tên đăng nhập của cán bộ Phòng VH-XH")
        parser.add_argument("--plan", help="Mã kế hoạch, khi có nhiều kế hoạch cùng mã kỳ")
        parser.add_argument("--replace-sections", action="store_true", help="Thay nội dung các mục bằng bản thảo tổng hợp")

    def handle(self, *args, **options):
        period = find_period(options["period"], options.get("plan"))
        user = find_user(options.get("user"), period)
        try:
            document, created = compile_period(period, user, replace_sections=options["replace_sections"])
        except WorkflowError as exc:
            raise as_command_error(exc) from None
        verb = "Đã tạo và tổng hợp" if created else "Đã tổng hợp lại"
        self.stdout.write(self.style.SUCCESS(f"{verb} «{document.title}» (phiên bản {document.version})."))
        for row in document.typed_content.compiled_targets:
            line = f"  {row.code}: {row.value_label} / {row.target_label or '-'} — {verdict_label(row)}"
            if row.partial:
                line += f" ({row.coverage_label})"
            self.stdout.write(line)
