"""``manage.py seed_demo``: build the demo company (演示公司), deterministically and idempotently.

Every installed app's ``demo`` module adds its part (see ``bastion.core.demo``). A second run
creates nothing and changes nothing; ``--if-empty`` (used by ``make run``) does nothing at all
when the database already holds organizations, so a real database is never touched.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bastion.core import demo


class Command(BaseCommand):
    help = _("载入演示公司（组织、人员、账号及各模块的演示数据），可重复运行。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("数据库中已有组织数据时什么也不做。"),
        )

    def handle(self, *args, **options):
        modules = demo.discover()
        if options["if_empty"] and demo.database_has_data(modules):
            self.stdout.write(_("数据库中已有组织数据，未载入演示数据（--if-empty）。"))
            return
        started = time.monotonic()
        ctx = demo.build(modules)
        seconds = time.monotonic() - started
        self._summary(ctx, modules, seconds)

    def _summary(self, ctx, modules, seconds):
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                _("演示数据已就绪（%(parts)s，用时 %(seconds).1f 秒）：")
                % {"parts": "、".join(m.label for m in modules), "seconds": seconds}
            )
        )
        for line in ctx.lines:
            values = {"label": line.label, "total": line.total, "created": line.created}
            if line.created is None:
                write(_("  %(label)s：%(total)d") % values)
            else:
                write(_("  %(label)s：%(total)d（本次新建 %(created)d）") % values)
        if ctx.logins:
            write(_("演示账号（密码均为 %(password)s）：") % {"password": demo.DEMO_PASSWORD})
            for login in ctx.logins:
                write(f"  {login.username:<10} {login.description}")
