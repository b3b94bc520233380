"""The demo site's pages and settings, for `manage.py seed_demo`. Creates what is missing and
leaves existing pages alone, so editors' changes survive a second run. Every page has a Welsh
translation (Wagtail's `copy_for_translation`, so each knows the other) served under /cy/."""

from django.conf import settings
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from cms.models import FundingCallIndexPage, HomePage, SiteSettings, StandardPage


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
            # The rates of the card in force and what changes when, from the rate cards.
            ("rates", None),
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
            ("heading", "Our Welsh pages"),
            *_p(
                "Tandem is in English and Welsh. The Welsh translation has not yet been reviewed "
                "by a fluent Welsh speaker, so some words may be wrong or sound unnatural. If you "
                "notice a mistake, please email us and we will put it right.",
            ),
        ],
    },
]

# The funding calls: the page lists the calls and shows each from its FundingCall.
CALLS = {
    "slug": "calls",
    "title": "Funding calls",
    "intro": (
        "Funding for research into modern slavery. Experts with lived experience help design "
        "each call's criteria and score the proposals, on the same footing as academic reviewers."
    ),
    "body": [],
}
WELSH_CALLS = {
    "slug": "galwadau-cyllid",
    "title": "Galwadau am gyllid",
    "intro": (
        "Cyllid ar gyfer ymchwil i gaethwasiaeth fodern. Mae arbenigwyr sydd â phrofiad bywyd yn "
        "helpu i lunio meini prawf pob galwad ac yn sgorio'r cynigion, ochr yn ochr ag "
        "adolygwyr academaidd."
    ),
    "body": [],
}

# The Welsh version of each page above, keyed by the English slug. Welsh pages have Welsh
# slugs: the language selector finds a page's translation by page, not by address.
WELSH_HOME = {
    "slug": "hafan",
    "title": "Ymchwil wedi'i llunio gan bobl sydd â phrofiad bywyd",
    "intro": (
        "Tandem yw'r lle i bobl sydd â phrofiad bywyd o gaethwasiaeth fodern weithio fel "
        "arbenigwyr am dâl gydag ymchwilwyr a chyllidwyr. Chi sy'n penderfynu beth rydych "
        "chi'n ei rannu, sut rydych chi'n cael eich enwi, a sut rydych chi'n cael eich talu."
    ),
    "body": [
        ("heading", "Sut mae'n gweithio"),
        *_p(
            "Ymunwch fel cynghorydd a dywedwch wrthyn ni am ba bynciau rydych chi eisiau rhoi "
            "cyngor. Does byth rhaid i chi adrodd eich stori.",
            "Mae timau ymchwil yn gofyn am gyngor. Rydyn ni'n gwahodd cynghorwyr sydd â'r "
            "arbenigedd iawn, a chi sy'n dewis a ydych chi am gymryd rhan.",
            "Rydych chi'n cael eich talu fel unrhyw weithiwr proffesiynol arall, a hynny ar "
            "amser. Os na allwch chi gael eich talu, rydyn ni'n talu eich treuliau yn lle hynny.",
        ),
    ],
}

WELSH_PAGES = {
    "about": {
        "slug": "amdanom",
        "title": "Ynglŷn â Tandem",
        "intro": "Gyda Tandem, cymryd rhan go iawn yw'r llwybr hawdd, nid yr eithriad.",
        "body": _p(
            "Yn rhy aml, dim ond yn symbolaidd y mae goroeswyr yn cael eu cynnwys mewn ymchwil: "
            "ffurflen adborth, un cyfarfod, dim tâl a dim gair am beth newidiodd. Mae Tandem "
            "yma i newid hynny.",
            "Mae cynghorwyr yn ymuno â phaneli dylunio ymchwil, yn sgorio cynigion am gyllid ac "
            "yn cyd-ysgrifennu'r adroddiadau y mae'r cyhoedd yn eu darllen. Mae timau ymchwil yn "
            "cofnodi beth wnaethon nhw ei newid oherwydd pob darn o gyngor, felly gall pob "
            "cynghorydd weld y gwahaniaeth a wnaethon nhw.",
        ),
    },
    "how-we-pay": {
        "slug": "sut-rydyn-ni-yn-talu",
        "title": "Sut rydyn ni'n talu",
        "intro": (
            "Mae pob cyfle yn dangos y gyfradd dâl, yr amser paratoi ac amser y sesiwn ymlaen llaw."
        ),
        "body": [
            *_p(
                "Rydyn ni'n talu cynghorwyr am eu hamser a'u harbenigedd, gan gynnwys amser "
                "paratoi. Gallwch chi ddewis trosglwyddiad banc neu dalebau siopa, rhoi eich ffi "
                "yn rhodd, neu wrthod cael eich talu.",
            ),
            ("rates", None),
            ("heading", "Os nad oes gennych chi hawl i weithio"),
            *_p(
                "Os nad oes gennych chi hawl i weithio yn y DU, neu os nad ydych chi'n siŵr, "
                "byddwn ni'n talu eich treuliau (fel costau teithio a gofal plant) gyda "
                "derbynebau, a dim byd arall. Mae hyn yn eich diogelu chi. Gallwch chi gael "
                "cyngor cyfrinachol am ddim am eich sefyllfa gan sefydliadau fel Cyngor ar Bopeth.",
            ),
            ("heading", "Os ydych chi'n cael budd-daliadau"),
            *_p(
                "Gall taliadau effeithio ar fudd-daliadau prawf modd. Cyn i chi dderbyn unrhyw "
                "waith am dâl, byddwn ni'n dangos i chi ble i gael cyngor am ddim, a gallwn ni "
                "ddweud wrthych chi faint rydych chi wedi'i gael yn ystod y flwyddyn.",
            ),
        ],
    },
    "safeguarding": {
        "slug": "diogelu",
        "title": "Diogelu a chymorth",
        "intro": "Eich diogelwch chi sy'n dod gyntaf, bob amser.",
        "body": [
            (
                "content_note",
                {"text": "Mae'r dudalen hon yn sôn am gamfanteisio ac am ble i gael help brys."},
            ),
            ("heading", "Gadael y wefan hon yn gyflym"),
            *_p(
                "Mae botwm 'Gadael y wefan hon' ar frig pob tudalen. Mae'n agor gwefan tywydd ar "
                "unwaith. Ar gyfrifiadur, gallwch chi hefyd bwyso'r fysell Shift dair gwaith.",
                "Mae gadael fel hyn yn cymryd lle'r dudalen Tandem roeddech chi arni, ond dydy hyn "
                "ddim yn clirio hanes eich porwr: gall pwyso'r botwm Yn ôl ddangos tudalennau "
                "Tandem eraill a agoroch chi cyn hynny. Os gallai rhywun edrych ar eich ffôn "
                "neu'ch cyfrifiadur, defnyddiwch bori preifat, neu cliriwch eich hanes wedyn "
                "(gweler isod).",
            ),
            ("heading", "Cuddio eich olion"),
            *_p(
                "<b>Defnyddiwch bori preifat.</b> Dydy'r tudalennau rydych chi'n eu hagor mewn "
                "ffenestr breifat ddim yn cael eu cadw yn eich hanes ar ôl i chi ei chau. Ar "
                "iPhone, agorwch Safari, tapiwch y botwm tabiau a dewiswch Private. Yn Chrome ar "
                "Android neu ar gyfrifiadur, agorwch y ddewislen (tri dot) a dewiswch New "
                "Incognito tab. Yn Samsung Internet, trowch Secret mode ymlaen o'r botwm tabiau. "
                "Yn Firefox, dewiswch New private window.",
                "<b>Cliriwch eich hanes.</b> Ar iPhone: Settings, yna Safari, yna Clear History "
                "and Website Data. Yn Chrome ar Android: y ddewislen (tri dot), yna History, yna "
                "Delete browsing data. Yn Samsung Internet: y ddewislen, yna History, yna Delete "
                "history. Ar gyfrifiadur, yn y rhan fwyaf o borwyr, pwyswch Control, Shift a "
                "Delete gyda'i gilydd (Command, Shift a Delete ar Mac).",
                "<b>E-byst a chyfrineiriau.</b> Mae e-byst gan Tandem yn aros yn eich mewnflwch "
                "nes i chi eu dileu. Peidiwch â gadael i'ch porwr gofio eich cyfrinair Tandem ar "
                "ddyfais sy'n cael ei rhannu.",
                "Gall rhywun sylwi bod eich hanes cyfan wedi'i glirio. Os ydych chi'n poeni am "
                "hynny, mae pori preifat yn fwy diogel, neu dilëwch dudalennau Tandem yn unig o'ch "
                "hanes.",
            ),
            ("heading", "Cael cymorth"),
            *_p(
                "Llinell Gymorth Caethwasiaeth Fodern a Chamfanteisio: "
                '<a href="tel:08000121700">08000 121 700</a>, am ddim ac yn gyfrinachol, 24 awr '
                "y dydd.",
                'Y Samariaid: <a href="tel:116123">116 123</a>, am ddim, unrhyw bryd, i unrhyw un '
                "sydd angen siarad.",
                'Mewn argyfwng, ffoniwch <a href="tel:999">999</a>.',
            ),
            ("heading", "Cymryd rhan yn ddiogel"),
            *_p(
                "Does byth rhaid i chi rannu eich stori. Gallwch chi stopio, cymryd seibiant neu "
                "dynnu'n ôl unrhyw bryd heb golli dim. Ar ôl pob sesiwn, rydyn ni'n cynnig sgwrs "
                "i ôl-drafod gyda rhywun rydych chi'n ymddiried ynddo.",
            ),
        ],
    },
    "accessibility": {
        "slug": "hygyrchedd",
        "title": "Datganiad hygyrchedd",
        "intro": "Rydyn ni eisiau i bawb allu defnyddio Tandem.",
        "body": [
            *_p(
                "Nod Tandem yw bodloni Canllawiau Hygyrchedd Cynnwys y We (WCAG) 2.2 ar lefel "
                "AA. Mae pob tudalen yn cael ei phrofi gyda gwiriadau hygyrchedd awtomatig mewn "
                "porwr go iawn, a gallwch chi ddefnyddio pob tudalen gyda bysellfwrdd yn unig.",
            ),
            ("heading", "Beth gallwch chi ei wneud"),
            *_p(
                "Gallwch chi newid lliwiau, chwyddo hyd at 400% heb i'r testun fynd oddi ar y "
                "sgrin, symud o gwmpas gyda bysellfwrdd neu feddalwedd adnabod lleferydd, a "
                "gwrando ar dudalennau gyda darllenydd sgrin.",
            ),
            ("heading", "Rhoi gwybod i ni am broblem"),
            *_p(
                "Os nad yw rhywbeth yn gweithio i chi, neu os oes angen gwybodaeth arnoch chi "
                "mewn fformat arall fel hawdd ei ddeall, print bras neu Iaith Arwyddion Prydain "
                "(BSL), anfonwch e-bost aton ni a byddwn ni'n ateb o fewn pum diwrnod gwaith.",
            ),
            ("heading", "Ein tudalennau Cymraeg"),
            *_p(
                "Mae Tandem ar gael yn Gymraeg ac yn Saesneg. Dydy siaradwr Cymraeg rhugl ddim "
                "wedi adolygu'r cyfieithiad Cymraeg eto, felly gall rhai geiriau fod yn anghywir "
                "neu swnio'n annaturiol. Os sylwch chi ar gamgymeriad, anfonwch e-bost aton ni a "
                "byddwn ni'n ei gywiro.",
            ),
        ],
    },
}


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

    calls = FundingCallIndexPage.objects.child_of(home).first()
    if calls is None:
        calls = home.add_child(
            instance=FundingCallIndexPage(
                title=CALLS["title"],
                slug=CALLS["slug"],
                intro=CALLS["intro"],
                body=CALLS["body"],
                show_in_menus=True,
            )
        )
        calls.save_revision().publish()

    welsh = Locale.objects.get(language_code="cy")
    _translation_seed(home, welsh, WELSH_HOME)
    for slug, page in pages.items():
        _translation_seed(page, welsh, WELSH_PAGES[slug])
    _translation_seed(calls, welsh, WELSH_CALLS)

    site = Site.objects.get(root_page=home)
    site_settings = SiteSettings.for_site(site)
    if site_settings.accessibility_page_id is None or site_settings.safeguarding_page_id is None:
        site_settings.accessibility_page = pages["accessibility"]
        site_settings.safeguarding_page = pages["safeguarding"]
        site_settings.save()
    return home


def _translation_seed(page: Page, locale: Locale, spec: dict) -> Page:
    """The page's translation into `locale`, created and published from `spec` if missing.
    A page's parent is translated first, so the translation lands under the parent's."""
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale)
        translated.slug = spec["slug"]
        translated.title = spec["title"]
        translated.intro = spec["intro"]
        translated.body = spec["body"]
        translated.save()
        translated.save_revision().publish()
    return translated
