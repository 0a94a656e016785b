from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Held by who looks after or supervises a branch's organisational life (secretaries, committees,
# discipline, inspectors), not by members: the menu's mark of a page about the branch as a whole.
BRANCH_RECORDS = "agenda.view_election"


class AgendaConfig(AppConfig):
    name = "bastion.agenda"
    label = "agenda"
    verbose_name = _("组织生活")
    home_widgets = [
        "bastion.agenda.widgets.board_summary",
        "bastion.agenda.widgets_member.my_dues",
    ]
    my_work = ["bastion.agenda.widgets_member.work_items"]  # the kernel's 我的任务
    # The daily digest's calendar sections (the kernel's registry: core/notifications/digest.py).
    digest_sources = ["bastion.agenda.services.notify_digest.agenda_sections"]
    digest_recipients = ["bastion.agenda.services.notify_digest.digest_recipients"]
    # Term and dues alarms, sent by the daily run (the kernel's registry: core/daily.py).
    daily_jobs = ["bastion.agenda.services.alarms.agenda_alarms_handle"]
    # The roll-up's obligation tallies (the kernel's registry: core/aggregates.py).
    aggregate_rebuilders = ["bastion.agenda.services.tallies.tallies_rebuild"]

    @property
    def navigation(self):
        from bastion.core.navigation import NavItem, NavSection

        return [
            NavSection(
                _("组织生活"),
                "calendar-event",
                order=20,
                items=[
                    NavItem(
                        _("工作看板"), "agenda:board", "layout-kanban", "agenda.view_obligation"
                    ),
                    NavItem(
                        _("年度导航图"),
                        "agenda:annual_map",
                        "calendar-month",
                        "agenda.view_obligation",
                    ),
                    # Statistics and minutes of the branches: listed for who holds their whole
                    # record, terms included (a member holds only the board's part of it).
                    NavItem(
                        _("统计汇总"),
                        "agenda:rollup",
                        "chart-bar",
                        "agenda.view_obligation",
                        also=BRANCH_RECORDS,
                    ),
                    NavItem(
                        _("会议记录"),
                        "agenda:meeting_list",
                        "notebook",
                        "agenda.view_meeting",
                        also=BRANCH_RECORDS,
                    ),
                    NavItem(
                        _("出勤率"),
                        "agenda:attendance_rates",
                        "user-check",
                        "agenda.view_meeting",
                        also=BRANCH_RECORDS,
                    ),
                    NavItem(
                        _("换届提醒"), "agenda:term_list", "users-group", "agenda.view_election"
                    ),
                    NavItem(
                        _("党费台账"), "agenda:dues_ledger", "coin-yuan", "agenda.view_duespayment"
                    ),
                    NavItem(
                        _("党费汇总"),
                        "agenda:dues_totals",
                        "report-money",
                        "agenda.view_duespayment",
                    ),
                    NavItem(
                        _("导入党费"), "agenda:dues_import", "upload", "agenda.import_duespayment"
                    ),
                    NavItem(_("工作日历"), "agenda:rule_list", "calendar"),
                    NavItem(_("党务操作指引"), "agenda:guide_list", "book"),
                    NavItem(_("消息中心"), "inbox", "bell"),
                ],
            ),
        ]

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, signals  # noqa: F401 (signals: receivers connect on import)

        for model in (
            models.CalendarRule,
            models.Meeting,
            models.Attendance,
            models.DuesBracket,
            models.DuesProfile,
            models.DuesPayment,
            models.TermRule,
            models.Election,
            models.GuidePage,
        ):
            auditlog.register(model)
        # Who was elected, and evidence added to or removed from a meeting (issue 14).
        auditlog.register(models.ElectedMember)
        auditlog.register(models.MeetingAttachment, exclude_fields=["file"])
