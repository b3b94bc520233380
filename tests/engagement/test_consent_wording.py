import pytest

from engagement.models import ConsentStatement
from engagement.selectors.consents import consents_current_for
from engagement.services.consents import consent_statement_publish
from tests.factories import coordinator, expert, finance


def test_a_coordinator_publishes_new_wording_as_the_next_version(client, db):
    client.force_login(coordinator())

    response = client.post(
        "/admin/consent-statements/new/",
        {"kind": "contact", "title": "Contact about work", "text": "Tandem may email me."},
    )

    assert response.status_code == 302
    versions = list(ConsentStatement.objects.filter(kind="contact").values_list("version", "title"))
    assert versions == [(2, "Contact about work"), (1, "Contact about opportunities")]


def test_published_wording_cannot_be_edited_or_deleted(client, db):
    client.force_login(coordinator())
    statement = ConsentStatement.objects.get(kind="contact", version=1)

    edit = client.get(f"/admin/consent-statements/edit/{statement.pk}/")
    delete = client.post(f"/admin/consent-statements/delete/{statement.pk}/")

    assert (edit.status_code, delete.status_code) == (302, 302)
    assert ConsentStatement.objects.get(pk=statement.pk).title == "Contact about opportunities"


def test_finance_cannot_publish_wording(client, db):
    client.force_login(finance())

    client.post(
        "/admin/consent-statements/new/",
        {"kind": "contact", "title": "Sneaky", "text": "Changed."},
    )

    assert not ConsentStatement.objects.filter(title="Sneaky").exists()


def test_saving_published_wording_again_is_refused_by_the_model(db):
    statement = ConsentStatement.objects.get(kind="contact", version=1)
    statement.text = "Words nobody agreed to."

    with pytest.raises(ValueError, match="cannot be changed"):
        statement.save()

    statement.refresh_from_db()
    assert statement.text != "Words nobody agreed to."


def test_a_new_version_of_the_wording_arrives_unticked_and_explained(client, db):
    person = expert(status="active")
    client.force_login(person.user)
    consent_statement_publish(
        kind="contact", title="Contact about work", text="Tandem may email and text me."
    )

    page = client.get("/me/profile/consents/")
    form = page.context["form"]

    assert form.initial.get("contact") is None
    assert form.initial["quoted"] is True
    assert form.changed == {"contact"}
    body = page.content.decode()
    assert body.count("We changed this wording since you last answered.") == 1
    assert "Tandem may email and text me." in body
    # Saving without ticking it records "not given" against the new version, not consent.
    client.post("/me/profile/consents/", {"data_processing": "on", "quoted": "on"})
    current = consents_current_for(person)
    assert (current["contact"].statement.version, current["contact"].given) == (2, False)


def test_consent_wording_is_shown_as_text_never_as_markup(client, db):
    person = expert(status="active")
    client.force_login(person.user)
    consent_statement_publish(
        kind="quoted",
        title="Being quoted",
        text='Quotes may be used.\n\n<script>alert("x")</script><a href="https://evil.test">x</a>',
    )

    body = client.get("/me/profile/consents/").content.decode()

    assert "<script>" not in body
    assert '<a href="https://evil.test">' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<p>Quotes may be used.</p>" in body


def test_the_first_wording_of_a_kind_is_version_one(db):
    # As on a database whose wording was never seeded.
    ConsentStatement.objects.filter(kind="contact").delete()

    first = consent_statement_publish(kind="contact", title="Contact", text="Tandem may email me.")
    second = consent_statement_publish(kind="contact", title="Contact", text="Or phone me.")

    assert (first.version, second.version) == (1, 2)
