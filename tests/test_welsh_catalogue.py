"""Welsh is complete, and Welsh pages are Welsh.

The catalogue (locale/cy/LC_MESSAGES/django.po) has every string Tandem's templates and Python
mark for translation, each translated, none fuzzy, with its placeholders and markup kept; the
committed .mo says the same as the .po. None of this needs GNU gettext: the strings are found
with Django's own template lexer and Python's parser, and both files are read with polib.

Then Welsh pages (public pages under /cy/, every /join/ step, /me/, account pages, error
pages, emails) are rendered beside their English versions: no block of visible text on a
Welsh page may be the same as on the English page, which is what a string left untranslated,
or English from a library that has no Welsh, looks like."""

import ast
import io
import re
import tokenize
from pathlib import Path
from types import SimpleNamespace

import allauth
import django
import polib
import pytest
import wagtail
from bs4 import BeautifulSoup, Comment
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.template import templatize
from django.views.defaults import permission_denied

from cms.seed import site_seed
from engagement.models import Language, Topic
from tests.factories import UserFactory, coordinator, expert, researcher

BASE = Path(settings.BASE_DIR)
CATALOGUE = BASE / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# Welsh for library strings that Tandem's pages show and whose libraries have no Welsh.
LIBRARY_CATALOGUE = BASE / "locale" / "libraries" / "cy" / "LC_MESSAGES" / "django.po"
BOTH = pytest.mark.parametrize("path", [CATALOGUE, LIBRARY_CATALOGUE], ids=["tandem", "libraries"])
PROJECT_PACKAGES = ("accounts", "cms", "config", "core", "engagement", "payments")
TEMPLATE_DIRS = (
    BASE / "templates",
    *(BASE / package / "templates" for package in PROJECT_PACKAGES),
)
HOW_TO_UPDATE = (
    "Run `manage.py makemessages -l cy --no-obsolete`, translate the new entries, then "
    "`manage.py compilemessages -l cy` (README.md, 'Languages')."
)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def _po(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def _key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt or None, entry.msgid)


# 1. The catalogue ------------------------------------------------------------------------


@BOTH
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    catalogue = _po(path)
    plural_forms = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"])[1])

    assert [e.msgid for e in catalogue.untranslated_entries()] == [], HOW_TO_UPDATE
    assert [e.msgid for e in catalogue.fuzzy_entries()] == [], HOW_TO_UPDATE
    assert [e.msgid for e in catalogue.obsolete_entries()] == [], HOW_TO_UPDATE
    for entry in catalogue:
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(n, "") for n in range(plural_forms)]
            assert all(forms), f"{entry.msgid!r} needs all {plural_forms} plural forms"


_GETTEXT_CALLS = {
    # name: (position of the context, of the message, of the plural), as makemessages reads
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _message(name: str, args: list) -> tuple[tuple[str | None, str], str | None]:
    context, message, plural = _GETTEXT_CALLS[name]
    return (
        (args[context] if context is not None else None, args[message]),
        args[plural] if plural is not None else None,
    )


def _python_messages(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _GETTEXT_CALLS:
            continue
        args = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        message = _message(name, args)
        if isinstance(message[0][1], str):
            yield message


def _template_messages(path: Path):
    # Django's own conversion for xgettext: each {% translate %} and {% blocktranslate %}
    # becomes a gettext call on one line, with the text around it blanked out.
    # Everything else is blanked out, so each line's tokens are just those calls.
    for line in templatize(path.read_text(), origin=str(path)).splitlines():
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
        for index, token in enumerate(tokens):
            if token.string in _GETTEXT_CALLS and tokens[index + 1].string == "(":
                args = []
                for argument in tokens[index + 2 :]:
                    if argument.string == ")":
                        break
                    if argument.type == tokenize.STRING:
                        args.append(ast.literal_eval(argument.string))
                yield _message(token.string, args)


def _project_messages() -> dict[tuple[str | None, str], str]:
    """Every string Tandem's own code marks for translation, with where it is."""
    found = {}
    for package in PROJECT_PACKAGES:
        for path in sorted((BASE / package).rglob("*.py")):
            for key, _plural in _python_messages(path):
                found.setdefault(key, str(path.relative_to(BASE)))
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in {".html", ".txt"}:
                for key, _plural in _template_messages(path):
                    found.setdefault(key, str(path.relative_to(BASE)))
    return found


def test_every_string_in_tandems_templates_and_python_is_in_the_catalogue(catalogue):
    in_catalogue = {_key(entry) for entry in catalogue}
    found = _project_messages()

    missing = sorted(
        f"{where}: {msgid!r}"
        for (_c, msgid), where in found.items()
        if (_c, msgid) not in in_catalogue
    )
    assert len(found) > 700
    assert missing == [], HOW_TO_UPDATE


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]?\d*(?:\.\d+)?[sdifr]|\{\w*\}")
_TAG = re.compile(r"</?[a-z][^>]*>")


def _shape(text: str) -> tuple[list[str], list[str]]:
    return sorted(_PLACEHOLDER.findall(text)), sorted(_TAG.findall(text))


@BOTH
def test_translations_keep_every_placeholder_and_tag(path):
    broken = []
    for entry in _po(path).translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if n == 0 else entry.msgid_plural, text)
                for n, text in entry.msgstr_plural.items()
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        broken += [(english, welsh) for english, welsh in pairs if _shape(english) != _shape(welsh)]

    assert broken == []


def _translations(entries) -> dict:
    return {
        _key(entry): (
            tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in entries
        if entry.msgid
    }


@BOTH
def test_the_compiled_catalogue_is_the_same_as_the_po_file(path):
    catalogue, compiled = _po(path), polib.mofile(str(path.with_suffix(".mo")))

    assert _translations(compiled) == _translations(catalogue.translated_entries()), (
        f"{path.with_suffix('.mo')} is out of date: run `manage.py compilemessages -l cy`"
    )
    assert compiled.metadata["Plural-Forms"] == catalogue.metadata["Plural-Forms"]


def _library_entries(language: str) -> dict:
    entries = {}
    for package in (django, allauth, wagtail):
        for path in Path(package.__file__).parent.rglob(f"locale/{language}/LC_MESSAGES/*.po"):
            for entry in _po(path):
                entries.setdefault(_key(entry), []).append(entry)
    return entries


def test_each_library_string_is_current_and_still_without_welsh():
    english, welsh = _library_entries("en"), _library_entries("cy")

    for entry in _po(LIBRARY_CATALOGUE):
        assert _key(entry) in english, f"no library has {entry.msgid!r} any more: remove it"
        translated = [e for e in welsh.get(_key(entry), []) if e.translated()]
        assert translated == [], f"{entry.msgid!r} has Welsh in its library now: remove ours"


# 2. Welsh pages -------------------------------------------------------------------------

# Words that are the same in Welsh, each for a reason:
SAME_IN_WELSH = (
    "Tandem",  # the service's name
    "BSL",  # what Welsh speakers call British Sign Language too, after the Welsh name
    "JSON",  # a file format
    "QR",  # as in "cod QR"
    "Panel",  # the same word in Welsh
    "Mandarin",  # language names spelled the same in Welsh
    "Tigrinya",
    "Shift",  # the name printed on the key
    "Google Authenticator",  # app names
    "Microsoft Authenticator",
    "Turn2us",  # a charity's name
    # A time zone identifier (Europe/London) is the same in every language; "/London" is
    # already taken out as a path.
    "Europe",
)
_EMAIL = re.compile(r"\S+@\S+")
_REFERENCE = re.compile(r"\bADV-\w+")
_URL = re.compile(r"(?:https?://|/)\S*")
_NOT_WORDS = re.compile(r"[\W\d_]+")


def _words(block: str, also_same: tuple[str, ...]) -> str:
    """The block with what is the same in every language taken out: addresses, numbers,
    names from SAME_IN_WELSH and the test's own data."""
    block = _REFERENCE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", block)))
    for same in sorted((*SAME_IN_WELSH, *also_same), key=len, reverse=True):
        block = block.replace(same, " ")
    return " ".join(_NOT_WORDS.sub(" ", block).split())


def text_blocks(html: str, also_same: tuple[str, ...] = ()) -> set[str]:
    """Each element's own text (not its children's) and the text people hear from its
    attributes, without parts marked as another language (`lang`, as the language selector
    names English in English)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    page_language = soup.html.get("lang") if soup.html else None
    blocks = set()
    for element in soup.find_all(True):
        declared = (
            element.find_parent(lambda e: e.has_attr("lang"))
            if not element.has_attr("lang")
            else element
        )
        if declared is not None and declared.get("lang") != page_language:
            continue
        own = " ".join(
            str(text)
            for text in element.find_all(string=True, recursive=False)
            if not isinstance(text, Comment)
        )
        heard = [element.get(name, "") for name in ("aria-label", "title", "alt", "placeholder")]
        if element.name == "input" and element.get("type") in {"submit", "button"}:
            heard.append(element.get("value", ""))
        for text in (own, *heard):
            text = " ".join(text.split())
            if _words(text, also_same):
                blocks.add(text)
    return blocks


def untranslated(english: str, welsh: str, also_same: tuple[str, ...] = ()) -> list[str]:
    return sorted(text_blocks(welsh, also_same) & text_blocks(english, also_same))


def test_the_check_finds_text_left_in_english():
    english = '<html lang="en"><p>Save and continue</p><p>Step <b>1</b> of 7</p></html>'
    welsh = (
        '<html lang="cy"><p>Save and continue</p><p>Cam <b>1</b> o 7</p>'
        '<select><option lang="en">English</option></select>'
        "<p>Tandem: 08000 121 700, hello@tandem.example</p></html>"
    )

    assert untranslated(english, welsh) == ["Save and continue"]


# What the test's people typed, shown back to them as they wrote it.
PEOPLE = (
    "Legal Name of River Adeyemi",
    "Legal Name of Sam Okafor",
    "River Adeyemi",
    "Sam Okafor",
    "Alex Staff",
    "Interviewing with care",
)


@pytest.fixture
def welsh_world(db):
    site_seed()
    topics = [Topic.objects.create(name=name) for name in ("Housing", "Peer support")]
    languages = list(Language.objects.filter(code__in=["en", "sq"]))
    applicant = expert(
        status="draft",
        user=UserFactory(display_name="River Adeyemi"),
        topics=topics,
        languages=languages,
        right_to_work="no",
        means_tested_benefits="yes",
        payment_method="expenses_only",
        expertise_notes="Interviewing with care",
    )
    sent = expert(status="applied", user=UserFactory(display_name="Sam Okafor"), topics=topics)
    active = expert(user=UserFactory(display_name="River Adeyemi"), topics=topics)
    return {
        "applicant": applicant.user,
        "sent": sent.user,
        "active": active.user,
        "researcher": researcher(display_name="River Adeyemi"),
        "coordinator": coordinator(display_name="Alex Staff"),
    }


JOIN_STEPS = ["about", "expertise", "access", "availability", "credit", "payment", "consents"]
# (who, English path, Welsh path)
PAGES = [
    (None, "/", "/cy/"),
    (None, "/about/", "/cy/amdanom/"),
    (None, "/how-we-pay/", "/cy/sut-rydyn-ni-yn-talu/"),
    (None, "/safeguarding/", "/cy/diogelu/"),
    (None, "/accessibility/", "/cy/hygyrchedd/"),
    (None, "/join/", "/cy/join/"),
    (None, "/accounts/login/", "/cy/accounts/login/"),
    (None, "/accounts/signup/", "/cy/accounts/signup/"),
    (None, "/accounts/password/reset/", "/cy/accounts/password/reset/"),
    (None, "/accounts/password/reset/done/", "/cy/accounts/password/reset/done/"),
    (None, "/accounts/confirm-email/", "/cy/accounts/confirm-email/"),
    (None, "/accounts/confirm-email/not-a-key/", "/cy/accounts/confirm-email/not-a-key/"),
    (None, "/no-such-page/", "/cy/no-such-page/"),
    *[("applicant", f"/join/{step}/", f"/cy/join/{step}/") for step in JOIN_STEPS],
    ("applicant", "/join/payment/explained/", "/cy/join/payment/explained/"),
    ("applicant", "/join/check/", "/cy/join/check/"),
    ("sent", "/join/submitted/", "/cy/join/submitted/"),
    ("sent", "/me/", "/cy/me/"),
    ("active", "/me/", "/cy/me/"),
    ("active", "/me/profile/about/", "/cy/me/profile/about/"),
    ("active", "/me/profile/consents/", "/cy/me/profile/consents/"),
    ("active", "/me/pause/", "/cy/me/pause/"),
    ("active", "/me/leave/", "/cy/me/leave/"),
    ("active", "/me/delete/", "/cy/me/delete/"),
    ("active", "/me/data/", "/cy/me/data/"),
    ("active", "/me/access-log/", "/cy/me/access-log/"),
    ("active", "/accounts/password/change/", "/cy/accounts/password/change/"),
    ("active", "/accounts/email/", "/cy/accounts/email/"),
    ("active", "/accounts/2fa/", "/cy/accounts/2fa/"),
    ("active", "/accounts/logout/", "/cy/accounts/logout/"),
    ("active", "/accounts/reauthenticate/", "/cy/accounts/reauthenticate/"),
    ("researcher", "/me/", "/cy/me/"),
    ("coordinator", "/me/", "/cy/me/"),
    ("coordinator", "/accounts/2fa/", "/cy/accounts/2fa/"),
]


def _get(client, who, path, world):
    client.logout()
    if who is not None:
        client.force_login(world[who])
    return client.get(path)


@pytest.mark.parametrize(("who", "english_path", "welsh_path"), PAGES, ids=[p[2] for p in PAGES])
def test_a_welsh_page_has_no_english_left(client, welsh_world, who, english_path, welsh_path):
    english = _get(client, who, english_path, welsh_world)
    welsh = _get(client, who, welsh_path, welsh_world)

    assert (english.status_code, welsh.status_code) in {(200, 200), (404, 404)}
    html = welsh.content.decode()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="cy">' in html
    assert untranslated(english.content.decode(), html, PEOPLE) == []


# Mistakes: each page's error summary and messages, in Welsh (some come from libraries).
POSTS = [
    (None, "/accounts/signup/", {"email": "not an address", "password1": "short"}),
    (
        None,
        "/accounts/signup/",
        {
            "email": "new@tandem.test",
            "password1": "12345678",
            "password2": "12345678",
            "display_name": "River",
        },
    ),
    (
        None,
        "/accounts/signup/",
        {
            "email": "new@tandem.test",
            "password1": "password",
            "password2": "password",
            "display_name": "River",
        },
    ),
    (None, "/accounts/login/", {"login": "nobody@tandem.test", "password": "wrong"}),
    (None, "/accounts/password/reset/", {"email": "not an address"}),
    ("applicant", "/join/about/", {"display_name": "", "region": ""}),
    (
        "applicant",
        "/join/availability/",
        {
            "hours_per_month": "lots",
            "paused_until_day": "31",
            "paused_until_month": "2",
            "paused_until_year": "2020",
        },
    ),
    ("applicant", "/join/credit/", {"credit_preference": "full_name", "credit_name": ""}),
    ("applicant", "/join/payment/", {"payment_method": "bank_transfer"}),
    ("applicant", "/join/consents/", {}),
    ("active", "/me/delete/", {"password": "wrong"}),
    (
        "active",
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "a", "password2": "b"},
    ),
]


@pytest.mark.parametrize(
    ("who", "path", "data"), POSTS, ids=[f"{p[1]}{sorted(p[2])}" for p in POSTS]
)
def test_welsh_error_messages_have_no_english_left(client, welsh_world, who, path, data):
    def post(prefix):
        client.logout()
        if who is not None:
            client.force_login(welsh_world[who])
        return client.post(prefix + path, data)

    english, welsh = post(""), post("/cy")

    assert (english.status_code, welsh.status_code) == (200, 200)
    html = welsh.content.decode()
    assert 'class="error-summary"' in html
    assert untranslated(english.content.decode(), html, PEOPLE) == []


def _render_error(template_or_view, language):
    request = RequestFactory().get(f"/{language}/page/")
    request.user = AnonymousUser()
    with translation.override(language):
        if template_or_view == "500.html":
            return render_to_string("500.html")
        return permission_denied(request, PermissionDenied()).content.decode()


@pytest.mark.parametrize("page", ["403", "500.html"])
def test_welsh_error_pages_have_no_english_left(welsh_world, page):
    english, welsh = _render_error(page, "en"), _render_error(page, "cy")

    assert '<html lang="cy">' in welsh
    assert untranslated(english, welsh) == []


def test_the_security_refusal_is_welsh_on_a_welsh_page(welsh_world):
    browser = Client(enforce_csrf_checks=True)
    english = browser.post("/accounts/login/", {"login": "a@tandem.test", "password": "x"})
    welsh = browser.post("/cy/accounts/login/", {"login": "a@tandem.test", "password": "x"})

    assert (english.status_code, welsh.status_code) == (403, 403)
    assert untranslated(english.content.decode(), welsh.content.decode()) == []


EMAILS = {
    "emails/expert_activated": {"waiting": False},
    "emails/expert_application_new": {"reference": "ADV-ABC234", "profile_id": 1},
    "emails/expert_application_received": {"resubmitted": False},
    "emails/expert_declined": {"message": ""},
    "emails/expert_info_requested": {"message": ""},
    "account/email/account_already_exists": {"password_reset_url": "https://x.test/r/"},
    "account/email/email_confirmation": {"activate_url": "https://x.test/c/"},
    "account/email/email_confirmation_signup": {"activate_url": "https://x.test/c/"},
    "account/email/login_code": {"code": "482916"},
    "account/email/password_reset_key": {"password_reset_url": "https://x.test/r/"},
    "account/email/unknown_account": {},
}


def _email(prefix: str, context: dict, language: str) -> tuple[str, str, str]:
    recipient = SimpleNamespace(display_name="River Adeyemi", email="river@tandem.test")
    context = {"site_url": settings.SITE_URL, "recipient": recipient, **context}
    with translation.override(language):
        return tuple(
            render_to_string(f"{prefix}_{part}", context)
            for part in ("subject.txt", "message.txt", "message.html")
        )


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if _words(line, PEOPLE)}


@pytest.mark.parametrize("prefix", EMAILS)
def test_welsh_emails_have_no_english_left(db, prefix):
    english = _email(prefix, EMAILS[prefix], "en")
    welsh = _email(prefix, EMAILS[prefix], "cy")

    for english_part, welsh_part in zip(english[:2], welsh[:2], strict=True):
        assert sorted(_lines(english_part) & _lines(welsh_part)) == []
    assert '<html lang="cy">' in welsh[2]
    assert untranslated(english[2], welsh[2]) == []


def test_a_string_left_untranslated_is_found_on_a_real_page(client, welsh_world, monkeypatch):
    # Take one translation out of the Welsh catalogue, as if a translator had missed it.
    for part in trans_real.translation("cy")._catalog._catalogs:
        if "Before you start" in part:
            monkeypatch.delitem(part, "Before you start")
    english = _get(client, None, "/join/", welsh_world).content.decode()

    welsh = _get(client, None, "/cy/join/", welsh_world).content.decode()

    assert "<h2>Before you start</h2>" in welsh
    assert untranslated(english, welsh, PEOPLE) == ["Before you start"]
