from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpenseClaimKey(models.Model):
    """The key each expense claim form carries: the same form sent twice (a double click, a
    retry after a lost connection) finds the claim it made the first time instead of making a
    second one. The unique key makes a second request that races the first wait for it and
    then find its claim."""

    key = models.UUIDField(unique=True, editable=False)
    payee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expense = models.OneToOneField(
        "payments.Expense", null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expense claim key")

    def __str__(self) -> str:
        return str(self.key)
