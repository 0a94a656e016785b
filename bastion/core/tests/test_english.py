"""The English catalogue: users can switch the interface to English."""

import gettext
import re

from django.conf import settings
from django.urls import reverse

PO_FILE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def po_entries(text):
    """Yield (msgid, [msgstr, ...]) for every non-obsolete entry of a .po file."""
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        fields, current = {}, None
        for line in lines:
            match = re.match(r"^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)[1:-1]
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if "msgid" in fields:
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield fields["msgid"], strings, fields.get("msgctxt")


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_switching_to_english_translates_the_login_page(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert "Log in to your account" in html
    assert '<html lang="en">' in html
    assert "登录您的账号" not in html


def test_english_catalogue_has_no_untranslated_entry():
    entries = list(po_entries(PO_FILE.read_text(encoding="utf-8")))
    assert len(entries) > 100
    untranslated = [
        msgid for msgid, strings, _context in entries if msgid and (not strings or not all(strings))
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    # The .mo is committed because a fresh machine may lack gettext; it must not go stale.
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.gettext("组织树") == "Organization tree"

    def compiled_text(msgid, context):
        if context is None:
            return compiled.gettext(unescape(msgid))
        return compiled.pgettext(unescape(context), unescape(msgid))

    stale = [
        msgid
        for msgid, strings, context in po_entries(PO_FILE.read_text(encoding="utf-8"))
        if msgid and len(strings) == 1 and compiled_text(msgid, context) != unescape(strings[0])
    ]
    assert stale == []
