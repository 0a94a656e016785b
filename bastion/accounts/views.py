"""What the account pages share. The pages themselves:

- ``views_manage``: 人员账号 (the list, one account, 停用/启用/重置/解除锁定, history);
- ``views_open``: 开通账号 from the person page, 批量开通 (form → preview → confirm), 开户清单;
- ``views_public``: 首次登录 (activation) and 忘记密码, open to anyone;
- ``views_help``: the 忘记密码 requests a manager answers with a new code.

A code is shown once, on the page that answers the POST which issued it: never in a URL, a
message or anything a browser keeps.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from bastion.core.scope import has_permission_anywhere

from . import codes, selectors

VIEW = "accounts.view_account"
ADD = "accounts.add_account"
CHANGE = "accounts.change_account"


def require_anywhere(user, permission: str) -> None:
    """Pages of a permission nobody gave this user do not exist for them."""
    if not has_permission_anywhere(user, permission):
        raise Http404


def scoped_account(request, pk: int, action: str = "view"):
    """One account inside the requester's scope, with its person and organization; else 404."""
    return get_object_or_404(selectors.accounts_for(request.user, action), pk=pk)


def no_store(response):
    """A page holding an activation code is never cached, by the browser or on the way."""
    add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
    return response


def render_code(request, *, account, code: str, title, intro, account_list=None):
    """The page that shows a freshly issued activation code, once."""
    response = render(
        request,
        "accounts/code_shown.html",
        {
            "account": account,
            "person": account.linked_person,
            "code": codes.readable(code),
            "title": title,
            "intro": intro,
            "account_list": account_list,
        },
    )
    return no_store(response)
