"""Backup and restore of a whole installation: one tar archive holding the database (SQLite's
online backup or ``pg_dump``), the media files and ``manifest.json`` (counts and checksums).

``manage.py backup`` and ``manage.py restore`` are thin shells over ``services``; the archive
layout is described in ``docs/backup.md``.
"""
