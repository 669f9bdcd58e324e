from django.core.management.base import BaseCommand

from bench.run import run


class Command(BaseCommand):
    help = "Chạy các phép đo của issue 15 trên dữ liệu đo (bench_dataset) và ghi báo cáo Markdown."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=8, help="số tiến trình đồng thời (mặc định 8)")
        parser.add_argument("--requests", type=int, default=10, help="số yêu cầu mỗi tiến trình cho mỗi trang (mặc định 10)")
        parser.add_argument("--issues", type=int, default=40, help="số văn bản ban hành mỗi lượt đo (mặc định 40)")
        parser.add_argument("--out", default="docs/bench/latest.md", help="tệp báo cáo (mặc định docs/bench/latest.md)")

    def handle(self, *args, clients, requests, issues, out, **options):
        text = run(clients=clients, requests=requests, issues=issues, out=out, log=lambda m: self.stderr.write(m))
        self.stdout.write(text)
