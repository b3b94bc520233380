import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_admin_user_forms_show_the_display_name_and_language(client):
    admin = UserFactory(is_superuser=True, mfa=True)
    client.force_login(admin)

    pages = [
        client.get("/admin/users/new/").content.decode(),
        client.get(f"/admin/users/edit/{admin.pk}/").content.decode(),
    ]

    for page in pages:
        assert 'name="display_name"' in page
        assert 'name="preferred_language"' in page


@pytest.mark.django_db
def test_the_admin_changes_a_display_name(client):
    admin = UserFactory(is_superuser=True, mfa=True)
    person = UserFactory(display_name="River")
    client.force_login(admin)

    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        {
            "email": person.email,
            "display_name": "River Jones",
            "preferred_language": "cy",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.preferred_language) == ("River Jones", "cy")
    assert User.objects.count() == 2
