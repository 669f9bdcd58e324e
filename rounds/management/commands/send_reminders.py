from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rounds.reminders import run


class Command(BaseCommand):
    help = (
        "Gửi nhắc hạn nộp báo cáo, báo quá hạn, nhắc thẩm định (mỗi thông báo đúng một lần). "
        "An toàn khi chạy vài phút một lần từ cron hoặc systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Thời điểm giả lập (ISO 8601, ví dụ 2026-06-16T08:00), để thử nghiệm")

    def handle(self, *args, **options):
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now «{options['now']}» không phải thời điểm ISO 8601, ví dụ 2026-06-16T08:00.") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = run(now)
        self.stdout.write(
            f"Nhắc việc mới: {result.planned}; đã gửi: {result.sent}; bỏ qua (không còn cần): {result.superseded}; "
            f"đã báo trong hệ thống, thư để lần sau: {result.deferred}; lỗi: {result.failed}."
        )
        if result.failed:
            reasons = "; ".join(sorted({e or "không rõ" for e in result.errors}))
            raise CommandError(f"{result.failed} thông báo chưa gửi được, sẽ thử lại lần chạy sau. Lỗi: {reasons}")
