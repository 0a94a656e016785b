"""``manage.py restore ARCHIVE``: bring a backup back into an empty installation."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bastion.core.backup.errors import BackupError
from bastion.core.backup.services import VENDOR_NAMES, restore_apply, restore_prepare


class Command(BaseCommand):
    help = (
        "把 backup 生成的归档恢复到一个空的安装（用户表没有任何账号）：先校验，"
        "再载入数据库和媒体文件、核对行数、执行 migrate。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="backup 生成的 .tar 或 .tar.gz 文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, **options):
        try:
            plan = restore_prepare(archive=options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # unreadable archive, no room for the temporary copy...
            raise CommandError(
                _("无法读取备份文件：%(reason)s 未做任何更改。") % {"reason": exc}
            ) from exc
        try:
            manifest = plan.manifest
            self.stdout.write(
                _("备份文件校验通过：创建于 %(created)s，%(parts)s 个部分。")
                % {"created": manifest.get("created_at"), "parts": len(manifest["parts"])}
            )
            if not options["yes"] and not self.confirmed():
                raise CommandError(_("已取消，未做任何更改。"))
            try:
                report = restore_apply(plan=plan)
            except (BackupError, OSError) as exc:
                raise CommandError(
                    _("恢复失败：%(reason)s 目标数据库可能已部分写入，请清空后重试。")
                    % {"reason": exc}
                ) from exc
        finally:
            plan.close()
        vendor = VENDOR_NAMES.get(report["vendor"], report["vendor"])
        lines = [
            _("恢复完成：%(archive)s") % {"archive": options["archive"]},
            _("  数据库：%(vendor)s，%(tables)s 张表，共 %(rows)s 行，行数与清单一致")
            % {"vendor": vendor, "tables": report["tables"], "rows": report["rows"]},
            _("  媒体文件：%(files)s 个，校验和一致") % {"files": report["media_files"]},
            _("  执行了 %(count)s 个新迁移") % {"count": report["migrations_applied"]},
        ]
        self.stdout.write("\n".join(lines))

    def confirmed(self) -> bool:
        if not sys.stdin.isatty():
            raise CommandError(_("非交互运行时请加 --yes 确认恢复；未做任何更改。"))
        answer = input(_("将把备份写入当前数据库和媒体存储，输入 yes 继续："))
        return answer.strip().lower() == "yes"
