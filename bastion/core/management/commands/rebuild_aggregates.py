"""``manage.py rebuild_aggregates``: recompute every precomputed aggregate from its rows."""

import json

from django.core.management.base import BaseCommand

from bastion.core.aggregates import rebuild_aggregates


class Command(BaseCommand):
    help = "从明细数据重新计算所有预先汇总的统计（恢复备份、批量导入之后使用）。"

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(rebuild_aggregates(), ensure_ascii=False, indent=2))
