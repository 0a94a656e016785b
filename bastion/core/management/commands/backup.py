"""``manage.py backup``: the database, the media files and a manifest, in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bastion.core.backup.errors import BackupError
from bastion.core.backup.services import VENDOR_NAMES, backup_create


class Command(BaseCommand):
    help = "备份整个安装（数据库、媒体文件和清单）到一个归档文件，网站运行时也可执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="归档文件或目录（默认当前目录）；以 .tar.gz 结尾则压缩。",
        )

    def handle(self, *args, **options):
        try:
            result = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # the output folder is not writable, the disk is full...
            raise CommandError(_("备份失败：%(reason)s") % {"reason": exc}) from exc
        manifest = result.manifest
        counts = manifest["row_counts"]
        vendor = manifest["database"]["vendor"]
        lines = [
            _("备份完成：%(path)s") % {"path": result.path},
            _("  数据库：%(vendor)s，%(tables)s 张表，共 %(rows)s 行")
            % {
                "vendor": VENDOR_NAMES.get(vendor, vendor),
                "tables": len(counts),
                "rows": sum(counts.values()),
            },
            _("  媒体文件：%(files)s 个，%(mb).1f MB")
            % {"files": manifest["media"]["files"], "mb": manifest["media"]["bytes"] / 2**20},
            _("  归档大小：%(mb).1f MB，用时 %(seconds).1f 秒")
            % {"mb": result.path.stat().st_size / 2**20, "seconds": result.seconds},
        ]
        self.stdout.write("\n".join(lines))
