"""Load the plan data file (plans.loader) and make the plan's own document (workflows.services).

It lives in workflows, not plans, because it writes both: plans knows nothing of documents.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans.loader import PlanDataError, load, read
from workflows.services import ensure_plan_document

DEFAULT_FILE = settings.BASE_DIR / "data" / "dien-chau-2026-2030.yaml"


class Command(BaseCommand):
    help = "Nạp (hoặc nạp lại) kế hoạch, đơn vị, chỉ tiêu và kỳ báo cáo từ tệp dữ liệu YAML."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE), help="Tệp dữ liệu kế hoạch (YAML, UTF-8)")
        parser.add_argument("--check", action="store_true", help="Chỉ kiểm tra tệp, không ghi vào cơ sở dữ liệu")

    def handle(self, *args, path, check, **options):
        try:
            clean = read(path)
        except PlanDataError as exc:
            raise CommandError(f"Tệp {path} có lỗi:\n" + "\n".join(f"  - {line}" for line in exc.lines())) from None
        targets = sum(len(a["targets"]) for a in clean["plan"]["areas"])
        if check:
            self.stdout.write(f"Tệp hợp lệ: {len(clean['units'])} đơn vị, {targets} chỉ tiêu.")
            return
        with transaction.atomic():
            plan = load(clean, source_file=path)
            ensure_plan_document(plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp kế hoạch {plan.code}: {len(clean['units'])} đơn vị, {targets} chỉ tiêu, "
                f"{plan.periods.count()} kỳ báo cáo."
            )
        )
