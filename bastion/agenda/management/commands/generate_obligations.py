"""Generate a year's obligations from the calendar rules: ``manage.py generate_obligations``.

Idempotent: run it every January (or in December for the coming year); it creates what is
missing, re-dates open obligations whose rule changed and links records made earlier.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastion.agenda.services.obligations import generate_year


class Command(BaseCommand):
    help = "按工作日历生成某一年度的应办事项（默认今年）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度，如 2026。")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度 {year} 超出范围（2000-2100）。")
        result = generate_year(year)
        self.stdout.write(
            f"{year}年：新建 {result.created} 项，调整 {result.updated} 项，"
            f"移除 {result.removed} 项，关联已有记录 {result.fulfilled} 项。"
        )
