"""Signals other apps listen to when organizations change in ways ``post_save`` does not see.

``organizations_bulk_updated`` is sent inside the writing transaction after a bulk write (the
organizations import uses ``bulk_update``, which sends no ``post_save``), with ``changes``: a
list of (organization, names of the fields that changed on it). The agenda, for one, regenerates
a committee's 换届 obligation at once when its term dates changed.

``organization_moved`` is sent inside the moving transaction after a node and its subtree
moved (treebeard rewrites paths without ``post_save``), with ``organization`` (its new path)
and ``old_parent``: aggregates kept per subtree (the agenda's roll-up tallies) follow it.
"""

from django.dispatch import Signal

organizations_bulk_updated = Signal()
organization_moved = Signal()
