"""Background jobs of the problems app: the quarterly bulletin's Word and Excel files.

Runs through django-tasks (inline under the test ImmediateBackend, in ``db_worker`` otherwise).
Status and progress are written with ``update`` outside any transaction so the polling page sees
them; any error leaves the bulletin ``failed`` with a Chinese message (details in the log).
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .bulletin_docx import build_docx, default_number
from .bulletin_xlsx import build_xlsx
from .models import Bulletin, BulletinStatus
from .selectors_bulletin import bulletin_data, parse_quarter

logger = logging.getLogger(__name__)


def _update(bulletin_id: int, **fields) -> None:
    Bulletin.objects.filter(pk=bulletin_id).update(**fields)


@task()
def generate_bulletin(bulletin_id: int) -> str:
    # The claim: only a queued bulletin starts, once (a run delivered twice, or one that comes
    # after bulletins_expire gave it up, does nothing).
    claimed = Bulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.QUEUED).update(
        status=BulletinStatus.RUNNING, progress=5, error=""
    )
    if not claimed:
        return "skipped"
    bulletin = Bulletin.objects.select_related("organization").get(pk=bulletin_id)
    try:
        quarter = parse_quarter(bulletin.quarter)
        data = bulletin_data(bulletin.organization, quarter)
        _update(bulletin_id, progress=30)
        issued_on = timezone.localdate()
        number = bulletin.number or default_number(
            bulletin.organization.name, issued_on.year, bulletin.pk
        )
        title = _("关于%(quarter)s问题整改情况的通报") % {"quarter": quarter.title}
        docx = build_docx(
            data,
            number=number,
            issued_on=issued_on,
            progress=lambda percent: _update(bulletin_id, progress=percent),
        )
        _update(bulletin_id, progress=80)
        xlsx = build_xlsx(data, number=number, title=title)
        stem = f"bulletin-{bulletin.quarter}-{bulletin.pk}"
        bulletin.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
        bulletin.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    except Exception:
        logger.exception("bulletin %s failed", bulletin_id)
        _update(
            bulletin_id,
            status=BulletinStatus.FAILED,
            error=_("生成通报时发生系统错误；请稍后重试或联系管理员。"),
            finished_at=timezone.now(),
        )
        return BulletinStatus.FAILED
    _update(
        bulletin_id,
        status=BulletinStatus.DONE,
        progress=100,
        number=number,
        docx=bulletin.docx.name,
        xlsx=bulletin.xlsx.name,
        finished_at=timezone.now(),
    )
    return BulletinStatus.DONE
