"""A Welsh speaker joins Tandem in Welsh: from the home page's language selector, through
creating an account and confirming the address, every /join/ step, to the application sent.

Every page the browser lands on says `<html lang="cy">`, reads in Welsh, passes axe-core
(WCAG 2.2 A/AA and best practice) and has the quick exit and skip link, in Welsh."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from engagement.models import ExpertProfile
from engagement.steps import STEP_SLUGS
from tests.e2e.conftest import AXE_OPTIONS, main_headings, question

pytestmark = pytest.mark.browser

EMAIL = "afon@tandem.test"
PASSWORD = "afon dawel ar doriad gwawr 42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/cy/accounts/confirm-email/[^/\s]+/)")
_axe = Axe()


def assert_welsh_page_is_accessible(page, heading: str) -> None:
    """Welsh, labelled Welsh, axe-clean, with the quick exit and skip link in Welsh."""
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(main_headings(page, 1)).to_have_text(heading)
    results = _axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    quick_exit = page.locator("#quick-exit")
    assert quick_exit.is_visible(), f"{page.url}: no visible quick exit"
    assert quick_exit.inner_text().strip() == "Gadael y wefan hon"
    skip_link = page.get_by_role("link", name="Neidio i'r prif gynnwys")
    assert skip_link.get_attribute("href") == "#main-content"


def arrive(page, path: str, heading: str) -> None:
    try:
        page.wait_for_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$"))
    except PlaywrightTimeoutError:
        raise AssertionError(f"expected {path}, but the browser is at {page.url}") from None
    assert_welsh_page_is_accessible(page, heading)


def save_and_continue(page, next_path: str, heading: str) -> None:
    page.get_by_role("button", name="Cadw a pharhau").click()
    arrive(page, next_path, heading)


def test_a_welsh_speaker_joins_in_welsh_from_start_to_finish(page, demo_site):
    # The home page in English, then Welsh from the language selector.
    page.goto("/")
    page.get_by_label("Language").select_option(label="Cymraeg")
    page.get_by_role("button", name="Change language").click()
    arrive(page, "/cy/", "Ymchwil wedi'i llunio gan bobl sydd â phrofiad bywyd")

    page.get_by_role("navigation", name="Prif lywio").get_by_role(
        "link", name="Ymuno fel cynghorydd"
    ).click()
    arrive(page, "/cy/join/", "Ymuno â Tandem fel cynghorydd")
    page.get_by_role("link", name="Creu cyfrif").click()
    arrive(page, "/cy/accounts/signup/", "Creu cyfrif")
    page.get_by_label("Cyfeiriad e-bost").fill(EMAIL)
    page.get_by_label("Enw arddangos").fill("Afon")
    page.get_by_label("Cyfrinair", exact=True).fill(PASSWORD)
    page.get_by_label("Cyfrinair (eto)").fill(PASSWORD)
    page.get_by_role("button", name="Creu cyfrif").click()
    arrive(page, "/cy/accounts/confirm-email/", "Edrychwch ar eich e-bost")

    # The confirmation email is in Welsh, and its link opens the Welsh page.
    (confirmation,) = [message for message in mail.outbox if message.to == [EMAIL]]
    assert confirmation.subject == "Tandem: Cadarnhewch eich cyfeiriad e-bost"
    assert "Cadarnhewch eich cyfeiriad e-bost drwy agor y ddolen hon" in confirmation.body
    page.goto(CONFIRM_LINK.search(confirmation.body).group(1))
    assert_welsh_page_is_accessible(page, "Cadarnhewch eich cyfeiriad e-bost")
    page.get_by_role("button", name="Cadarnhau fy nghyfeiriad e-bost").click()
    arrive(page, "/cy/join/", "Ymuno â Tandem fel cynghorydd")
    page.get_by_role("button", name="Dechrau nawr").click()

    # Every step, one page each.
    arrive(page, "/cy/join/about/", "Amdanoch chi")
    expect(page.get_by_text("Cam 1 o 7")).to_be_visible()
    page.get_by_label("Enw arddangos neu ffugenw").fill("Afon")
    page.get_by_label("Rhagenwau").fill("hi")
    languages = question(page, "Ym mha ieithoedd gallwch chi roi cyngor?")
    languages.get_by_label("Cymraeg", exact=True).check()
    languages.get_by_label("Saesneg", exact=True).check()
    page.get_by_label("Ble yn y DU rydych chi'n byw?").select_option(label="Cymru")
    save_and_continue(page, "/cy/join/expertise/", "Beth rydych chi eisiau rhoi cyngor arno")

    page.get_by_label("Tai", exact=True).check()
    page.get_by_label("Cymorth gan gymheiriaid", exact=True).check()
    save_and_continue(page, "/cy/join/access/", "Beth sy'n eich helpu i gymryd rhan")

    page.get_by_label("Cyfieithydd iaith lafar").check()
    page.get_by_label("Pa iaith dylai'r cyfieithydd ei siarad?").fill("Albaneg")
    page.get_by_label("Seibiannau rheolaidd").check()
    page.get_by_label("Ar-lein (galwad fideo)").check()
    save_and_continue(page, "/cy/join/availability/", "Eich amser")

    page.get_by_label("Faint o oriau'r mis y gallech chi eu rhoi, ar y mwyaf?").fill("6")
    page.get_by_label("Nosweithiau yn ystod yr wythnos").check()
    save_and_continue(page, "/cy/join/credit/", "Sut rydych chi'n cael eich cydnabod")

    page.get_by_label("Fy enw arddangos").check()
    save_and_continue(page, "/cy/join/payment/", "Tâl")

    page.get_by_label("Trosglwyddiad banc").check()
    page.get_by_label("Eich enw cyfreithiol, ar gyfer taliadau yn unig").fill("Afon Prys")
    question(page, "Oes gennych chi hawl i weithio yn y DU?").get_by_label(
        "Oes", exact=True
    ).check()
    question(page, "Ydych chi'n cael unrhyw fudd-daliadau prawf modd?").get_by_label(
        "Nac ydw", exact=True
    ).check()
    save_and_continue(page, "/cy/join/consents/", "Eich cytundeb")

    page.get_by_label("Defnyddio fy ngwybodaeth").check()
    page.get_by_label("Cysylltu am gyfleoedd").check()
    save_and_continue(page, "/cy/join/check/", "Gwiriwch eich atebion cyn anfon eich cais")
    expect(page.get_by_text("Saesneg, Cymraeg")).to_be_visible()

    page.get_by_role("button", name="Anfon fy nghais").click()
    arrive(page, "/cy/join/submitted/", "Cais wedi'i anfon")

    profile = ExpertProfile.objects.get(user__email=EMAIL)
    assert profile.status == ExpertProfile.Status.APPLIED
    assert profile.completed_steps == list(STEP_SLUGS)
    assert profile.user.preferred_language == "cy"
    assert profile.right_to_work == "yes"
    assert profile.means_tested_benefits == "no"
    (received,) = [m for m in mail.outbox if m.to == [EMAIL] and m is not confirmation]
    assert received.subject == "Tandem: Mae eich cais gyda ni"

    # And back to English, on the same page.
    page.get_by_label("Iaith").select_option(label="English")
    page.get_by_role("button", name="Newid iaith").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/join/submitted/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main_headings(page, 1)).to_have_text("Application sent")
