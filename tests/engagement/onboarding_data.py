"""Distinctive answers for every onboarding step, and a helper that posts them."""

from engagement.models import Language, Topic

LEGAL_NAME = "Marisol Quintero-Abara"
DISPLAY_NAME = "Wren Kestrel"
PRONOUNS = "they/them"
NOTES = "Designing consent forms for interviews"
INTERPRETER_LANGUAGE = "Tigrinya dialect Z"
ACCESS_OTHER = "Quiet room with natural light"
CREDIT_NAME = "Wren K. Osei"


def step_answers(topic_ids: list[int], language_ids: list[int]) -> dict[str, dict]:
    return {
        "about": {
            "display_name": DISPLAY_NAME,
            "pronouns": PRONOUNS,
            "languages": language_ids,
            "region": "wales",
        },
        "expertise": {"topics": topic_ids, "expertise_notes": NOTES},
        "access": {
            "needs": ["interpreter", "easy_read", "breaks"],
            "interpreter_language": INTERPRETER_LANGUAGE,
            "meeting_format": "in_person",
            "other": ACCESS_OTHER,
        },
        "availability": {
            "hours_per_month": "12",
            "availability": ["weekday_evenings", "weekends"],
            "paused_until_0": "",
            "paused_until_1": "",
            "paused_until_2": "",
        },
        "credit": {"credit_preference": "full_name", "credit_name": CREDIT_NAME},
        "payment": {
            "payment_method": "voucher",
            "legal_name": LEGAL_NAME,
            "right_to_work": "yes",
            "means_tested_benefits": "not_saying",
        },
        "consents": {
            "data_processing": "on",
            "contact": "on",
            "quoted": "on",
            "public_credit": "on",
        },
    }


def default_answers() -> dict[str, dict]:
    topics = list(Topic.objects.values_list("pk", flat=True)[:2])
    if not topics:
        topics = [Topic.objects.create(name="Housing").pk, Topic.objects.create(name="Health").pk]
    languages = list(Language.objects.filter(code__in=["en", "sq"]).values_list("pk", flat=True))
    return step_answers(topics, languages)


def complete_onboarding(client, answers: dict[str, dict] | None = None, submit: bool = True):
    """Post every step (and submit) as the signed-in client. Returns the answers used."""
    answers = answers or default_answers()
    client.post("/join/")
    for slug, data in answers.items():
        response = client.post(f"/join/{slug}/", data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    if submit:
        response = client.post("/join/check/")
        assert response["Location"] == "/join/submitted/"
    return answers
