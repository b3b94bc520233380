"""Demo accounts exist only outside production. example.org is reserved (RFC 2606), so no
real person can hold one of these addresses."""

DEMO_EMAIL_DOMAIN = "example.org"
DEMO_PASSWORD = "tandem-demo"  # noqa: S105 - published demo credential, refused in production
# A fixed TOTP secret for the demo staff accounts, so a tester can add it to an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPTANDEMDEMO234567"  # noqa: S105 - demo only


def is_demo_email(email: str) -> bool:
    return email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)
