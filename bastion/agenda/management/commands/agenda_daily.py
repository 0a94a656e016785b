"""``manage.py agenda_daily``: cron runs it once a day (e.g. ``30 6 * * *``).

By default it queues the ``daily_agenda`` job for the task worker (``manage.py db_worker``);
``--now`` runs it in this process and prints what it did. ``--date`` replays a given day.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bastion.agenda.jobs import daily_agenda


class Command(BaseCommand):
    help = "生成本年度应办事项并发送每日提醒摘要（收件箱、邮件、群机器人）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="在本进程中立即执行，不进入任务队列")
        parser.add_argument("--date", help="按指定日期执行（YYYY-MM-DD），默认今天")

    def handle(self, *args, now=False, date=None, **options):
        day = self._day(date)
        if now:
            result = daily_agenda.call(day.isoformat())
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        queued = daily_agenda.enqueue(day.isoformat())
        self.stdout.write(f"已加入任务队列：{queued.id}（{day.isoformat()}）")

    def _day(self, value):
        if not value:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"日期格式不正确：{value!r}，应为 YYYY-MM-DD。") from None
