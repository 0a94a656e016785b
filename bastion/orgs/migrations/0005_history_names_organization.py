"""Audit entries written before issue 14: name each seat's, person's and grant's organization (and
a seat's person) in ``additional_data``, so they show on the organization's and the person's
history; and mask the ID numbers they hold 6 + 4, like every page (auditlog's own mask left the
last nine digits visible)."""

from django.db import migrations

from bastion.core.idcard import mask_id_number, mask_logged_id_number

# (model name, the references each entry names in additional_data)
SOURCES = (
    ("committeemember", ("organization", "person")),
    ("person", ("organization",)),
    ("roleassignment", ("organization",)),
)
MODELS = {
    "committeemember": "CommitteeMember",
    "person": "Person",
    "roleassignment": "RoleAssignment",
}


def logged_reference(changes: dict, name: str):
    """The id an entry's own changes give for ``name``: the value after, else before."""
    values = changes.get(name)
    if not isinstance(values, list) or len(values) != 2:
        return None
    for value in reversed(values):
        if value not in (None, "None", "") and str(value).isdigit():
            return int(value)
    return None


def remasked(value, current: str | None):
    """6 + 4 for a logged number; an old half-masked one whose tail is the person's number now
    gets its first six digits back from it."""
    if value in (None, "None", ""):
        return value
    tail = str(value).lstrip("*")
    if current and "*" in str(value) and len(value) == len(current) and current.endswith(tail):
        return mask_id_number(current)
    return mask_logged_id_number(str(value))


def backfill(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model_name, references in SOURCES:
        content_type = ContentType.objects.filter(app_label="orgs", model=model_name).first()
        if content_type is None:
            continue
        model = apps.get_model("orgs", MODELS[model_name])
        columns = [f"{name}_id" for name in references]
        extra = ["id_number"] if model_name == "person" else []
        current = {row["pk"]: row for row in model.objects.values("pk", *columns, *extra)}
        changed = []
        entries = LogEntry.objects.filter(content_type=content_type).order_by("pk")
        for entry in entries.iterator(chunk_size=2000):
            if _fill(entry, references, current.get(entry.object_id, {})):
                changed.append(entry)
            if len(changed) >= 500:
                LogEntry.objects.bulk_update(changed, ["additional_data", "changes"])
                changed = []
        LogEntry.objects.bulk_update(changed, ["additional_data", "changes"])


def _fill(entry, references, row: dict) -> bool:
    """Name the entry's references and re-mask its ID numbers; True when anything changed."""
    changed = False
    data = dict(entry.additional_data or {})
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name in references:
        key = f"{name}_id"
        value = logged_reference(changes, name) or row.get(key)
        if key not in data and value:
            data[key] = value
            changed = True
    numbers = changes.get("id_number")
    if isinstance(numbers, list) and len(numbers) == 2:
        masked = [remasked(value, row.get("id_number")) for value in numbers]
        if masked != numbers:
            entry.changes = {**changes, "id_number": masked}
            changed = True
    entry.additional_data = data or None
    return changed


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_person_status_branch_roles"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
