"""Helpers every app's pages share. A list's filters in links: Django's ``{% querystring %}``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils.functional import cached_property


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class CountedPaginator(Paginator):
    """A paginator told its count (from a stored aggregate) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows: past it, the list says "more than cap"
    instead of counting a national company's half-million rows on every page view (a filter
    narrows it; an export still holds every row). ``capped`` tells the template which it is."""

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Unordered: the LIMIT inside the count then stops at the cap instead of sorting all.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        # The row past the cap only says there are more: the pages stop at the cap.
        return max(1, -(-min(self.count, self.cap) // self.per_page))
