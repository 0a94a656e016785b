"""Signals other apps listen to when organizations change in ways ``post_save`` does not see.

``organizations_bulk_updated`` is sent inside the writing transaction after a bulk write (the
organizations import uses ``bulk_update``, which sends no ``post_save``), with ``changes``: a
list of (organization, names of the fields that changed on it). The agenda, for one, regenerates
a committee's 换届 obligation at once when its term dates changed.
"""

from django.dispatch import Signal

organizations_bulk_updated = Signal()
