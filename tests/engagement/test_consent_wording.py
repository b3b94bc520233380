from engagement.models import ConsentStatement
from tests.factories import coordinator, finance


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
