"""The demo site's pages and settings, for `manage.py seed_demo`. Creates what is missing and
leaves existing pages alone, so editors' changes survive a second run."""

from django.conf import settings
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import HomePage, SiteSettings, StandardPage


def _p(*paragraphs: str) -> list[tuple[str, RichText]]:
    return [("paragraph", RichText("".join(f"<p>{text}</p>" for text in paragraphs)))]


HOME = {
    "title": "Research shaped by people with lived experience",
    "intro": (
        "Tandem is where people with lived experience of modern slavery work as paid experts "
        "with researchers and funders. You decide what you share, how you are named, and how "
        "you are paid."
    ),
    "body": [
        ("heading", "How it works"),
        *_p(
            "Join as an adviser and tell us which topics you want to advise on. You never have "
            "to tell your story.",
            "Research teams ask for advice. We invite advisers whose expertise fits, and you "
            "choose whether to take part.",
            "You are paid like any other professional, on time. If you cannot be paid, we "
            "cover your expenses instead.",
        ),
    ],
}

PAGES = [
    {
        "slug": "about",
        "title": "About Tandem",
        "show_in_menus": True,
        "intro": "Tandem makes real involvement the easy path, not the exception.",
        "body": _p(
            "Survivor involvement in research is too often token: a feedback form, a single "
            "meeting, no payment and no word about what changed. Tandem exists to change that.",
            "Advisers join research-design panels, score funding proposals and co-author the "
            "reports that the public reads. Research teams record what they changed because of "
            "each piece of advice, so every adviser can see the difference they made.",
        ),
    },
    {
        "slug": "how-we-pay",
        "title": "How we pay",
        "show_in_menus": True,
        "intro": (
            "Every opportunity shows the rate, the preparation time and the session time up front."
        ),
        "body": [
            *_p(
                "We pay advisers for their time and expertise, including preparation. You can "
                "choose a bank transfer or shopping vouchers, donate your fee, or say no to "
                "payment.",
            ),
            ("heading", "If you do not have the right to work"),
            *_p(
                "If you do not have the right to work in the UK, or you are not sure, we pay "
                "your expenses (such as travel and childcare) with receipts, and nothing else. "
                "This protects you. Free, confidential advice about your situation is available "
                "from organisations such as Citizens Advice.",
            ),
            ("heading", "If you receive benefits"),
            *_p(
                "Payments can affect means-tested benefits. Before you accept any paid work we "
                "show you where to get free advice, and we can tell you how much you have been "
                "paid in the year.",
            ),
        ],
    },
    {
        "slug": "safeguarding",
        "title": "Safeguarding and support",
        "show_in_menus": True,
        "intro": "Your safety comes first, always.",
        "body": [
            (
                "content_note",
                {"text": "This page mentions exploitation and sources of urgent help."},
            ),
            ("heading", "Leaving this site quickly"),
            *_p(
                "Every page has a 'Leave this site' button at the top. It opens a weather "
                "website straight away. On a computer you can also press the Shift key three "
                "times.",
                "Leaving this way replaces the Tandem page you were on, but it does not wipe "
                "your browser's history: pressing Back can still show other Tandem pages you "
                "opened before it. If someone might check your phone or computer, use private "
                "browsing, or clear your history afterwards (see below).",
            ),
            ("heading", "Covering your tracks"),
            *_p(
                "<b>Use private browsing.</b> Pages you open in a private window are not kept "
                "in your history once you close it. On an iPhone, open Safari, tap the tabs "
                "button and choose Private. In Chrome on Android or a computer, open the menu "
                "(three dots) and choose New Incognito tab. In Samsung Internet, turn on Secret "
                "mode from the tabs button. In Firefox, choose New private window.",
                "<b>Clear your history.</b> On an iPhone: Settings, then Safari, then Clear "
                "History and Website Data. In Chrome on Android: the menu (three dots), then "
                "History, then Delete browsing data. In Samsung Internet: the menu, then "
                "History, then Delete history. On a computer, in most browsers, press "
                "Control, Shift and Delete together (Command, Shift and Delete on a Mac).",
                "<b>Emails and passwords.</b> Emails from Tandem stay in your inbox until you "
                "delete them. Do not let your browser remember your Tandem password on a "
                "shared device.",
                "Clearing your whole history can itself be noticed. If you are worried about "
                "that, private browsing is safer, or delete only the Tandem pages from your "
                "history.",
            ),
            ("heading", "Getting support"),
            *_p(
                "Modern Slavery &amp; Exploitation Helpline: "
                '<a href="tel:08000121700">08000 121 700</a>, free and confidential, 24 hours '
                "a day.",
                'Samaritans: <a href="tel:116123">116 123</a>, free, any time, for anyone who '
                "needs to talk.",
                'In an emergency, call <a href="tel:999">999</a>.',
            ),
            ("heading", "Taking part safely"),
            *_p(
                "You never have to share your story. You can stop, take a break or withdraw at "
                "any time without losing anything. After every session we offer a debrief with "
                "someone you trust.",
            ),
        ],
    },
    {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "show_in_menus": False,
        "intro": "We want everyone to be able to use Tandem.",
        "body": [
            *_p(
                "Tandem aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at "
                "level AA. Every page is tested with automated accessibility checks in a real "
                "browser, and can be used with a keyboard alone.",
            ),
            ("heading", "What you can do"),
            *_p(
                "You can change colours, zoom in up to 400% without text spilling off the "
                "screen, navigate with a keyboard or speech recognition software, and listen to "
                "pages with a screen reader.",
            ),
            ("heading", "Tell us about a problem"),
            *_p(
                "If something does not work for you, or you need information in another format "
                "such as easy read, large print or BSL, email us and we will reply within five "
                "working days.",
            ),
        ],
    },
]


def site_seed() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's installer leaves a "Welcome" page (slug "home") and a site pointing at it.
        for page in Page.objects.filter(depth=2).not_type(HomePage):
            page.delete()
        home = Page.get_first_root_node().add_child(
            instance=HomePage(
                title=HOME["title"], slug="home", intro=HOME["intro"], body=HOME["body"]
            )
        )
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "root_page": home,
                "hostname": settings.SITE_URL.split("://", 1)[-1].split(":")[0],
                "site_name": "Tandem",
            },
        )

    pages = {}
    for spec in PAGES:
        page = StandardPage.objects.child_of(home).filter(slug=spec["slug"]).first()
        if page is None:
            page = home.add_child(
                instance=StandardPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    intro=spec["intro"],
                    body=spec["body"],
                    show_in_menus=spec["show_in_menus"],
                )
            )
            page.save_revision().publish()
        pages[spec["slug"]] = page

    site = Site.objects.get(root_page=home)
    site_settings = SiteSettings.for_site(site)
    if site_settings.accessibility_page_id is None or site_settings.safeguarding_page_id is None:
        site_settings.accessibility_page = pages["accessibility"]
        site_settings.safeguarding_page = pages["safeguarding"]
        site_settings.save()
    return home
