"""How an account appears on a page: the person's name, their organization, the username beside.

``{% load account_names %}`` then ``{% account_label user %}`` wherever an account is shown
(greeting, role grants, audit history, evaluator lists, inbox senders). Lists feed it accounts
selected with ``person__organization`` so that a page of rows costs no extra query.
"""

from django import template

register = template.Library()


@register.inclusion_tag("includes/account_name.html")
def account_label(account, empty="—", organization=True, username=True):
    """``account`` (a user, or None: ``empty`` is shown); ``organization`` and ``username``
    switch the muted parts off where the page already says them."""
    return {
        "account": account,
        "empty": empty,
        "show_organization": organization,
        "show_username": username,
    }
