from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.dataset import Sizes, generate


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu đo hiệu năng quy mô tỉnh (mặc định 500 xã × 25 đơn vị × 10 kỳ ≈ 130.000 văn bản) "
        "vào cơ sở dữ liệu hiện tại; cùng seed cho cùng dữ liệu. Chỉ dùng cho cơ sở dữ liệu đo riêng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communes", type=int, default=500, help="số xã, kể cả xã mẫu Diễn Châu (mặc định 500)")
        parser.add_argument("--periods", type=int, default=10, help="số kỳ báo cáo mỗi xã (mặc định 10, tối đa 12)")
        parser.add_argument("--seed", type=int, default=2026, help="hạt giống ngẫu nhiên (mặc định 2026)")

    def handle(self, *args, communes, periods, seed, **options):
        if communes < 1 or not 1 <= periods <= 12:
            raise CommandError("--communes phải ≥ 1 và --periods từ 1 đến 12.")
        total = generate(Sizes(communes=communes, periods=periods, seed=seed), log=self.stdout.write)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics: the planner must know the tables are big
        self.stdout.write(f"Xong: {communes} xã, {total} văn bản.")
