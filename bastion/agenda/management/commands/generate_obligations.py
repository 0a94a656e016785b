"""Generate a year's obligations from the calendar rules: ``manage.py generate_obligations``.

Idempotent: run it every January (or in December for the coming year); it creates what is
missing, re-dates open obligations whose rule changed and links records made earlier.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastion.agenda.services.obligations import generate_year


class Command(BaseCommand):
    help = "Generate the obligations of one year from the calendar rules (default: this year)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="Year, e.g. 2026.")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(f"year {year} is out of range 2000-2100")
        result = generate_year(year)
        self.stdout.write(
            f"{year}: created {result.created}, updated {result.updated}, "
            f"removed {result.removed}, linked {result.fulfilled}"
        )
