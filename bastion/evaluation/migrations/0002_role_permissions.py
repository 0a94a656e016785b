"""Give the roles of the foundation their evaluation permissions (roles are data)."""

from django.db import migrations

from bastion.core.roles import grant_role_permissions

E = "evaluation."
PUBLIC = [E + "view_published_target", E + "view_titleaward", E + "view_round",
          E + "view_scheme"]  # fmt: skip
BENCHMARKS = [E + "view_benchmarkvalue", E + "add_benchmarkvalue", E + "change_benchmarkvalue",
              E + "import_benchmarkvalue"]  # fmt: skip
RUN = [E + "add_round", E + "change_round", E + "publish_round", E + "view_target",
       E + "view_score", E + "view_keyevent", E + "view_appeal", E + "change_appeal"]  # fmt: skip
SCORE = [E + "score_target"]
COMMITTEE = [E + "score_as_committee"]
POINTS_READ = [E + "view_pointsentry"]
POINTS_KEEP = [E + "add_pointsentry", E + "approve_pointsentry", E + "change_pointsentry"]
SCHEMES = [E + "add_scheme", E + "change_scheme", E + "delete_scheme"]
# A role may only be granted by someone holding all its permissions, so the committees hold
# what the branch, member and business roles below them hold (they act for them when needed).
ACT_FOR = [E + "add_keyevent", E + "add_appeal", E + "score_as_business"]
ROLE_PERMISSIONS = {
    "party_department": PUBLIC + BENCHMARKS + RUN + SCORE + COMMITTEE + POINTS_READ
    + POINTS_KEEP + SCHEMES + ACT_FOR,
    "county_committee": PUBLIC + BENCHMARKS + RUN + SCORE + COMMITTEE + POINTS_READ
    + POINTS_KEEP + ACT_FOR,
    # A secretary scores their branch (self) and its members (as the committee), keeps the
    # points ledger, submits key events and appeals for the branch.
    "branch_secretary": PUBLIC + SCORE + COMMITTEE + POINTS_READ + POINTS_KEEP
    + [E + "view_target", E + "view_keyevent", E + "add_keyevent", E + "view_appeal",
       E + "add_appeal", E + "view_benchmarkvalue"],
    # A member sees their own results and the published rankings, rates peers' key events,
    # submits their own, records their points for approval and may appeal their own result.
    "member": PUBLIC + SCORE + [E + "view_keyevent", E + "add_keyevent", E + "add_appeal",
                                E + "add_pointsentry"],
    "discipline": PUBLIC + SCORE + COMMITTEE + [E + "view_target"],
    "business": PUBLIC + BENCHMARKS + SCORE + [E + "score_as_business", E + "view_target"],
    "first_secretary": PUBLIC + SCORE + [E + "view_benchmarkvalue"],
    "inspector": PUBLIC,
}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("orgs", "0002_default_roles")]
    operations = [grant_role_permissions(ROLE_PERMISSIONS, prefix=E)]
