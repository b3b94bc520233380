"""Who may be paid how. The one place the "expenses only" rule is written: engagement asks
these functions; payments never imports engagement."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payments.models import PaymentMethod


# Welsh answers yes and no with the question's verb ("Oes", "Ydw"), hence a context each.
class RightToWork(models.TextChoices):
    YES = "yes", pgettext_lazy("Do you have the right to work?", "Yes")
    NO = "no", pgettext_lazy("Do you have the right to work?", "No")
    NOT_SURE = "not_sure", _("I'm not sure")


class Benefits(models.TextChoices):
    YES = "yes", pgettext_lazy("Do you receive benefits?", "Yes")
    NO = "no", pgettext_lazy("Do you receive benefits?", "No")
    NOT_SAYING = "not_saying", _("I'd rather not say")


# Money or vouchers paid for work: a person without a confirmed right to work could be put at
# risk by them, so they receive receipted expenses only.
PAID_FOR_WORK = frozenset({PaymentMethod.BANK_TRANSFER, PaymentMethod.VOUCHER})
# Methods that need the name on a bank account or an ID.
NEEDS_LEGAL_NAME = PAID_FOR_WORK
# Honoraria recorded for the work but never paid; the reason shown is the method's own name
# (Honorarium.NotPayable has the same values).
NOT_PAID = frozenset({PaymentMethod.DECLINED, PaymentMethod.EXPENSES_ONLY})


def expenses_only(*, right_to_work: str) -> bool:
    """Without a confirmed right to work, Tandem pays receipted expenses only."""
    return right_to_work in {RightToWork.NO, RightToWork.NOT_SURE}


def benefits_signposting(*, means_tested_benefits: str) -> bool:
    return means_tested_benefits == Benefits.YES


def payment_method_allowed(*, requested: str, right_to_work: str) -> str:
    """The method actually used: money or vouchers for work become expenses only when the
    person may not have the right to work."""
    if expenses_only(right_to_work=right_to_work) and requested in PAID_FOR_WORK:
        return PaymentMethod.EXPENSES_ONLY
    return requested


def honorarium_terms(*, method: str, right_to_work: str) -> tuple[str, bool, str]:
    """How an honorarium for work is paid: (method, payable, reason not payable). Declined
    and expenses-only honoraria are recorded (the work counts as offered and done) but never
    paid; bank transfers, vouchers and donations to charity are paid. Someone who has not
    chosen yet is paid by bank transfer, the usual way."""
    method = payment_method_allowed(
        requested=method or PaymentMethod.BANK_TRANSFER, right_to_work=right_to_work
    )
    if method in NOT_PAID:
        return method, False, method
    return method, True, ""
