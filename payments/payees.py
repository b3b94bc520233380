"""What payments needs to know about a payee that lives in a higher layer.

Legal names are held (encrypted) on the expert's profile in engagement, which payments must
not import. Engagement registers a provider when it starts (engagement/apps.py); Finance's
batch export asks it for the legal names of bank-transfer payees only, and the provider logs
each name it hands out as a sensitive-data access, which the expert sees."""

from collections.abc import Callable, Iterable

LegalNames = Callable[..., dict[int, str]]

_provider: dict[str, LegalNames] = {}


def legal_name_provider_register(provider: LegalNames) -> None:
    """`provider(*, viewer, user_ids)` returns {user id: legal name} for those it knows."""
    _provider["legal_names"] = provider


def legal_names_for(*, viewer, user_ids: Iterable[int]) -> dict[int, str]:
    user_ids = sorted(set(user_ids))
    if not user_ids or "legal_names" not in _provider:
        return {}
    return _provider["legal_names"](viewer=viewer, user_ids=user_ids)
