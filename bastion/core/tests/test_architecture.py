"""The import contracts in pyproject.toml hold: CI runs `make test`, so a broken arrow fails it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def lint_imports_command():
    beside_python = Path(sys.executable).parent / "lint-imports"
    return str(beside_python) if beside_python.exists() else shutil.which("lint-imports")


def test_import_contracts_are_kept():
    result = subprocess.run(
        [lint_imports_command(), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
