import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedJSONField, EncryptedTextField
from core.transitions import StateMachine, Transition
from core.validators import validate_name_characters
from engagement.predicates import is_self, vets_others
from payments import eligibility
from payments.eligibility import Benefits, RightToWork
from payments.models import PaymentMethod

# Unambiguous characters only: references are read aloud on the phone to Finance.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_expert_reference() -> str:
    return "ADV-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


class Topic(models.Model):
    """An area of expertise an expert may choose to advise on. Coordinators manage the list."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validate_name_characters]
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("offered to new experts"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("expertise topic")

    def __str__(self) -> str:
        # In the reader's language where the catalogue has this name (the shipped ones).
        return gettext(self.name)


class Language(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validate_name_characters]
    )
    is_active = models.BooleanField(_("offered to experts"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")

    def __str__(self) -> str:
        # In the reader's language where the catalogue has this name (the shipped ones).
        return gettext(self.name)


class Region(models.TextChoices):
    NORTH_EAST = "north_east", _("North East England")
    NORTH_WEST = "north_west", _("North West England")
    YORKSHIRE = "yorkshire", _("Yorkshire and the Humber")
    EAST_MIDLANDS = "east_midlands", _("East Midlands")
    WEST_MIDLANDS = "west_midlands", _("West Midlands")
    EAST = "east", _("East of England")
    LONDON = "london", _("London")
    SOUTH_EAST = "south_east", _("South East England")
    SOUTH_WEST = "south_west", _("South West England")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")
    OUTSIDE_UK = "outside_uk", _("Outside the UK")
    NOT_SAYING = "not_saying", _("I'd rather not say")


class AccessNeed(models.TextChoices):
    INTERPRETER = "interpreter", _("A spoken-language interpreter")
    BSL = "bsl", _("A British Sign Language (BSL) interpreter")
    EASY_READ = "easy_read", _("Easy read documents")
    LARGE_PRINT = "large_print", _("Large print documents")
    CAPTIONS = "captions", _("Live captions in online meetings")
    EXTRA_TIME = "extra_time", _("Extra time to read and prepare")
    BREAKS = "breaks", _("Regular breaks")
    SUPPORT_PERSON = "support_person", _("Bringing someone to support me")
    STEP_FREE = "step_free", _("Step-free access to buildings")


class MeetingFormat(models.TextChoices):
    ONLINE = "online", _("Online (video call)")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    NO_PREFERENCE = "no_preference", _("I don't mind")


class Availability(models.TextChoices):
    WEEKDAY_MORNINGS = "weekday_mornings", _("Weekday mornings")
    WEEKDAY_AFTERNOONS = "weekday_afternoons", _("Weekday afternoons")
    WEEKDAY_EVENINGS = "weekday_evenings", _("Weekday evenings")
    WEEKENDS = "weekends", _("Weekends")


class ExpertProfileManager(models.Manager):
    def get_queryset(self):
        # An expert is always shown by their user's display name: load it in the same query.
        return super().get_queryset().select_related("user")


class ExpertProfile(models.Model):
    """A person with lived experience who advises through Tandem.

    Legal name, access needs, eligibility answers and free-text notes are encrypted at rest.
    Status changes only through the transitions declared here (engagement.services.experts
    runs them), each recorded as an AuditEvent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Application not finished")
        APPLIED = "applied", _("Waiting for review")
        INFO_REQUESTED = "info_requested", _("More information asked for")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DECLINED = "declined", _("Not accepted")
        LEFT = "left", _("Left")

    class Credit(models.TextChoices):
        FULL_NAME = "full_name", _("My full name")
        PSEUDONYM = "pseudonym", _("My display name")
        PANEL_MEMBER = "panel_member", _("'A member of the panel'")
        ANONYMOUS = "anonymous", _("No name at all (anonymous)")

    workflow = StateMachine(
        Transition(
            "submit",
            source=[Status.DRAFT, Status.INFO_REQUESTED],
            target=Status.APPLIED,
            allowed=is_self,
        ),
        # An applicant who asked not to be invited yet starts out paused.
        Transition(
            "activate",
            source=[Status.APPLIED, Status.INFO_REQUESTED],
            target=[Status.ACTIVE, Status.PAUSED],
            allowed=vets_others,
        ),
        Transition(
            "request_info",
            source=[Status.APPLIED],
            target=Status.INFO_REQUESTED,
            allowed=vets_others,
        ),
        Transition(
            "decline",
            source=[Status.APPLIED, Status.INFO_REQUESTED],
            target=Status.DECLINED,
            allowed=vets_others,
        ),
        Transition("pause", source=[Status.ACTIVE], target=Status.PAUSED, allowed=is_self),
        # The hourly job ends breaks that reached their date.
        Transition(
            "resume", source=[Status.PAUSED], target=Status.ACTIVE, allowed=is_self, system=True
        ),
        Transition(
            "leave",
            source=[
                Status.DRAFT,
                Status.APPLIED,
                Status.INFO_REQUESTED,
                Status.ACTIVE,
                Status.PAUSED,
            ],
            target=Status.LEFT,
            allowed=is_self,
        ),
        stamp="status_changed_at",
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_expert_reference, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    completed_steps = models.JSONField(default=list, blank=True)

    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="experts")
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)

    topics = models.ManyToManyField(Topic, blank=True, related_name="experts")
    expertise_notes = EncryptedTextField(_("other expertise"), blank=True, default="")

    access_needs = EncryptedJSONField(_("access needs"), blank=True, default=dict)

    hours_per_month = models.PositiveSmallIntegerField(_("hours per month"), null=True, blank=True)
    availability = models.JSONField(_("usual availability"), default=list, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)

    credit_preference = models.CharField(
        _("default credit"), max_length=20, choices=Credit.choices, blank=True
    )
    credit_name = EncryptedTextField(_("name for credits"), blank=True, default="")

    legal_name = EncryptedTextField(_("legal name"), blank=True, default="")
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    right_to_work = EncryptedTextField(
        _("right to work in the UK"), blank=True, default="", choices=RightToWork.choices
    )
    means_tested_benefits = EncryptedTextField(
        _("receives means-tested benefits"), blank=True, default="", choices=Benefits.choices
    )
    # Erasing the profile erases its history with it.
    audit_events = GenericRelation("core.AuditEvent", related_query_name="expert")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ExpertProfileManager()

    class Meta:
        verbose_name = _("expert")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours_per_month__lte=160),
                name="expert_hours_per_month_lte_160",
            ),
        ]
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def expenses_only(self) -> bool:
        return eligibility.expenses_only(right_to_work=self.right_to_work)

    @property
    def benefits_signposting(self) -> bool:
        return eligibility.benefits_signposting(means_tested_benefits=self.means_tested_benefits)


class ConsentStatement(models.Model):
    """One version of the wording a person agrees to. New wording is a new version."""

    class Kind(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("Using my information")
        CONTACT = "contact", _("Contact about opportunities")
        QUOTED = "quoted", _("Being quoted")
        RECORDED = "recorded", _("Being recorded")
        PUBLIC_CREDIT = "public_credit", _("Public credit")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="consent_statement_kind_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (version {self.version})"

    def save(self, *args, **kwargs):
        # People agreed to these exact words: changing them means publishing a new version.
        if self.pk is not None:
            raise ValueError("Published consent wording cannot be changed.")
        super().save(*args, **kwargs)

    @property
    def required(self) -> bool:
        return self.kind == self.Kind.DATA_PROCESSING


class Consent(models.Model):
    """Append-only: giving or withdrawing consent adds a row; the newest row per kind counts."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="consents")
    statement = models.ForeignKey(ConsentStatement, on_delete=models.PROTECT, related_name="+")
    given = models.BooleanField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["expert", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.statement}: {'given' if self.given else 'withdrawn'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent records are append-only.")
        super().save(*args, **kwargs)


class SensitiveAccess(models.Model):
    """Who on the staff saw which sensitive field of whose profile, and when."""

    class Field(models.TextChoices):
        LEGAL_NAME = "legal_name", _("Legal name")
        ACCESS_NEEDS = "access_needs", _("Access needs")
        ELIGIBILITY = "eligibility", _("Payment eligibility answers")
        EXPERTISE_NOTES = "expertise_notes", _("Notes about your expertise")

    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expert = models.ForeignKey(
        ExpertProfile, null=True, on_delete=models.SET_NULL, related_name="sensitive_accesses"
    )
    field = models.CharField(max_length=20, choices=Field.choices)
    accessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")

    def __str__(self) -> str:
        return f"{self.get_field_display()} at {self.accessed_at:%Y-%m-%d %H:%M}"
