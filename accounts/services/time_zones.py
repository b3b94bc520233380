"""A person's time zone: every session time they see is shown in it."""

from accounts.models import User, validate_time_zone


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """Refuses (ValidationError) a name that is not a known time zone."""
    validate_time_zone(time_zone)
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
    return user
