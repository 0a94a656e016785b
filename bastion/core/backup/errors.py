"""The one error a backup or a restore refuses with: its message is shown to the operator."""


class BackupError(Exception):
    """Refused or failed; ``str(error)`` is a Chinese sentence that says why and what to do."""
