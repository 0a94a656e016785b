"""System check: every permission string in the project's code names a permission that exists.

Permission names are plain strings (``"tasks.add_task"``) handed to the scope door, views and role
lists, so a typo would silently grant or deny nothing. ``manage.py check`` (and every command that
runs the checks) reads the Python source of the project's own apps, except migrations and tests,
and reports each string literal that looks like a permission name but names none.

A literal looks like a permission name when it is ``"<app label>.<codename>"``, the label is one of
the project's apps, and the codename either starts with a verb some permission starts with
(``add``, ``view``, ``dispatch``, ...) or ends with one of that app's model names
(``"tasks.chnage_task"``). Other dotted strings, such as notification event codes
(``"agenda.meeting_returned"``), are not permission names.

Existing permissions are computed from the model registry (the default add/change/delete/view per
model plus ``Meta.permissions``) the way ``migrate`` creates them, without touching the database.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.management import _get_all_permissions
from django.core import checks

PROJECT_PACKAGE = __name__.split(".")[0]
SKIPPED_DIRECTORIES = {"migrations", "tests", "__pycache__"}
PERMISSION_SHAPE = re.compile(
    r"(?P<label>[a-z][a-z0-9_]*)\.(?P<codename>[a-z][a-z0-9]*_[a-z0-9_]+)"
)
ERROR_ID = "bastion.E001"


def project_app_configs(app_configs=None):
    """The project's own apps (``bastion.*``), or those of ``app_configs`` that are."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return [c for c in configs if c.name.split(".")[0] == PROJECT_PACKAGE]


@dataclass(frozen=True)
class PermissionNames:
    """What the check compares literals with: the permissions, their verbs, the apps' models."""

    known: frozenset[str]
    verbs: frozenset[str]
    models: dict[str, frozenset[str]]  # app label -> model names

    @classmethod
    def from_registry(cls) -> PermissionNames:
        configs = project_app_configs()
        labels = {config.label for config in configs}
        known = {
            f"{model._meta.app_label}.{codename}"
            for model in apps.get_models()
            for codename, _name in _get_all_permissions(model._meta)
        }
        verbs = {
            name.split(".", 1)[1].split("_", 1)[0]
            for name in known
            if name.split(".", 1)[0] in labels
        }
        models = {
            config.label: frozenset(m._meta.model_name for m in config.get_models())
            for config in configs
        }
        return cls(frozenset(known), frozenset(verbs), models)

    def looks_like_permission(self, literal: str) -> bool:
        match = PERMISSION_SHAPE.fullmatch(literal)
        if not match or match["label"] not in self.models:
            return False
        codename = match["codename"]
        return codename.split("_", 1)[0] in self.verbs or any(
            codename.endswith(f"_{model}") for model in self.models[match["label"]]
        )

    def candidate_pattern(self) -> re.Pattern:
        """Quick text test: a file without a match holds no permission-shaped literal."""
        labels = "|".join(map(re.escape, sorted(self.models)))
        return re.compile(rf"""["'](?:{labels})\.[a-z][a-z0-9]*_""")


def permission_literals(source: str, names: PermissionNames) -> Iterator[tuple[int, str]]:
    """(line, literal) for each string literal in ``source`` that looks like a permission."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and names.looks_like_permission(node.value)
        ):
            yield node.lineno, node.value


def unknown_permissions(
    source: str, *, filename: str, names: PermissionNames
) -> list[checks.Error]:
    """One error per permission-looking literal of ``source`` that names no permission."""
    return [
        checks.Error(
            f'"{literal}" names no permission ({filename}:{line}).',
            hint="Use an existing permission or declare it in the model's Meta.permissions.",
            obj=f"{filename}:{line}",
            id=ERROR_ID,
        )
        for line, literal in sorted(permission_literals(source, names))
        if literal not in names.known
    ]


def source_files(app_config) -> Iterator[Path]:
    root = Path(app_config.path)
    for path in sorted(root.rglob("*.py")):
        if not SKIPPED_DIRECTORIES.intersection(path.relative_to(root).parts[:-1]):
            yield path


@checks.register()
def check_permission_names(app_configs=None, **kwargs) -> list[checks.Error]:
    names = PermissionNames.from_registry()
    candidate = names.candidate_pattern()
    errors: list[checks.Error] = []
    for app_config in project_app_configs(app_configs):
        top = Path(app_config.path).parent.parent
        for path in source_files(app_config):
            source = path.read_text(encoding="utf-8")
            if candidate.search(source):
                filename = str(path.relative_to(top))
                errors += unknown_permissions(source, filename=filename, names=names)
    return errors
