"""python manage.py backup [FILE]: database rows and stored files into one .tar.gz (backups.archive)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backups.archive import BackupError, create_backup


class Command(BaseCommand):
    help = "Sao lưu toàn bộ dữ liệu (cơ sở dữ liệu và các tệp đã lưu) vào một tệp .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="tệp đích, mặc định var/backups/congvan-<ngày giờ>.tar.gz"
        )

    def handle(self, *args, **options):
        path = options["file"] or settings.VAR_DIR / "backups" / f"congvan-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = create_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Đã sao lưu {rows} bản ghi và {len(manifest['files'])} tệp vào {path}.")
