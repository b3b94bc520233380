from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from accounts.seed import DEMO_ACCOUNTS, demo_accounts_seed
from cms.seed import site_seed
from engagement.seed import engagement_seed


class Command(BaseCommand):
    help = "Create the demo site, pages and accounts. Safe to run again: it changes nothing twice."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates demo accounts, so it is refused in production.")
        with transaction.atomic():
            site_seed()
            users = demo_accounts_seed()
            engagement_seed(users=users)
        self.stdout.write(self.style.SUCCESS("Demo site ready."))
        self.stdout.write(f"\n  Tandem: {settings.SITE_URL}/\n")
        self.stdout.write(f"  Demo accounts (password: {DEMO_PASSWORD}):")
        for email, _name, role in DEMO_ACCOUNTS:
            self.stdout.write(f"    {role.label:<12} {email}")
        self.stdout.write(
            "\n  Coordinator and Finance sign in with a one-time code. Add this secret to an\n"
            f"  authenticator app (type: time-based, 6 digits): {DEMO_TOTP_SECRET}\n"
        )
