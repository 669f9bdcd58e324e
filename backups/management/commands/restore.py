"""python manage.py restore FILE: an archive of `backup` into an empty database (backups.archive)."""
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, restore_backup


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (tự chạy migrate) và kho tệp."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .tar.gz do lệnh backup tạo")

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Đã khôi phục {rows} bản ghi và {len(manifest['files'])} tệp từ {options['file']}.")
