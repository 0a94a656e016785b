"""Forms for terms: recording an election (members picked from the roster), term rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin
from bastion.orgs.models.organization import CommitteePosition

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_ELECTED = ("", _("未当选"))


class ElectionForm(BootstrapFormMixin, forms.Form):
    """The election's facts plus one position choice per full member on the roster."""

    held_on = forms.DateField(label=_("选举日期"), widget=DATE_WIDGET)
    approved_on = forms.DateField(
        label=_("上级批复日期"),
        widget=DATE_WIDGET,
        help_text=_("新一届任期自上级批复之日起计算。"),
    )
    approval_ref = forms.CharField(label=_("批复文号"), max_length=100, required=False)
    term_years = forms.IntegerField(
        label=_("任期（年）"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("留空则按任期规则。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, roster, seats: dict[int, str], default_years=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        if default_years:
            self.fields["term_years"].help_text = _("留空则按任期规则：%(years)s 年。") % {
                "years": default_years
            }
        choices = [NOT_ELECTED, *CommitteePosition.choices]
        for person in self.roster:
            self.fields[self.position_field(person)] = forms.ChoiceField(
                label=person.name,
                choices=choices,
                required=False,
                initial=seats.get(person.pk, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    @staticmethod
    def position_field(person) -> str:
        return f"pos_{person.pk}"

    def roster_rows(self):
        return [(person, self[self.position_field(person)]) for person in self.roster]

    def base_fields_list(self):
        return [self[name] for name in ("held_on", "approved_on", "approval_ref", "term_years")]

    def elected(self) -> list[tuple]:
        return [
            (person, self.cleaned_data[self.position_field(person)])
            for person in self.roster
            if self.cleaned_data.get(self.position_field(person))
        ]


class TermRuleForm(BootstrapFormMixin, forms.Form):
    years = forms.IntegerField(label=_("任期（年）"), min_value=1, max_value=10)
    remind_months = forms.IntegerField(
        label=_("提前提醒（月）"),
        min_value=0,
        max_value=24,
        help_text=_("任期届满前多少个月起显示黄色提醒。"),
    )
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET)
    source = forms.CharField(label=_("依据来源"), max_length=200)

    def __init__(self, *args, rule=None, **kwargs):
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {"years": rule.years, "remind_months": rule.remind_months, "source": rule.source},
            )
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()
