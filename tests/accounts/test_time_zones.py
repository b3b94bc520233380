"""A person's time zone (accounts.services.time_zones)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services.time_zones import user_time_zone_set
from tests.factories import expert


@pytest.mark.django_db
def test_setting_a_time_zone_saves_it_and_returns_the_person_with_it():
    person = expert().user

    returned = user_time_zone_set(user=person, time_zone="Africa/Lagos")

    assert returned is person
    assert person.time_zone == "Africa/Lagos"
    assert User.objects.get(pk=person.pk).time_zone == "Africa/Lagos"


@pytest.mark.django_db
def test_a_made_up_time_zone_is_refused_and_nothing_changes():
    person = expert().user

    with pytest.raises(ValidationError):
        user_time_zone_set(user=person, time_zone="Mars/Olympus")

    assert User.objects.get(pk=person.pk).time_zone == "Europe/London"
