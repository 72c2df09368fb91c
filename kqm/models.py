"""Users and roles, and the platform's own records (worker heartbeat, sent emails)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    MANAGER = "manager", "KQM manager"
    EVALUATOR = "evaluator", "Evaluator"
    SETTING_MANAGER = "setting_manager", "Setting manager"
    PRACTITIONER = "practitioner", "Setting practitioner"
    VIEWER = "viewer", "Viewer"


SETTING_ROLES = frozenset({Role.SETTING_MANAGER, Role.PRACTITIONER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.MANAGER)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address and holds one role."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    settings = models.ManyToManyField(
        "settings.Setting",
        blank=True,
        related_name="members",
        help_text="For setting managers and practitioners: the settings they belong to.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can use the Django admin (KQM managers only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    second_factor_reset_at = models.DateTimeField(
        null=True, blank=True, help_text="When a KQM manager last removed their second factor."
    )
    second_factor_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When they last set up an authenticator app or added a passkey.",
    )
    invited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[settings])

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def belongs_to_settings(self) -> bool:
        return self.role in SETTING_ROLES


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker reported in; read by /healthz."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class EmailStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DeliveryStatus(models.TextChoices):
    """What GOV.UK Notify reported about an email it took (its callback's statuses)."""

    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "Address does not exist"
    TEMPORARY_FAILURE = "temporary-failure", "Inbox full or unavailable"
    TECHNICAL_FAILURE = "technical-failure", "Notify could not send it"


class SentEmail(models.Model):
    """One email, under a unique key: recorded as sending (committed) before the mail server
    is called, and as sent once it has accepted the message. A task that runs twice sends
    once; one interrupted between the two is sent again with the same Message-ID."""

    key = models.CharField(max_length=255, unique=True)
    template = models.CharField(max_length=100)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.SENT)
    message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)
    notify_id = models.CharField(
        max_length=36, blank=True, db_index=True, help_text="GOV.UK Notify's notification id."
    )
    delivery_status = models.CharField(
        max_length=20, blank=True, choices=DeliveryStatus.choices, help_text="From Notify."
    )
    delivery_status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.get_status_display().lower()})"


class OutboxMessage(models.Model):
    """A task that a change needs, written in the change's transaction and published to the
    broker after it commits. Rows still unpublished (the broker was down) are published
    again by the minute sweep (``kqm.tasks.publish_outbox``)."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    digest = models.CharField(
        max_length=64, db_index=True, help_text="The task and its arguments, hashed."
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["published_at", "created_at"], name="outbox_due")]

    def __str__(self) -> str:
        state = "published" if self.published_at else "waiting"
        return f"{self.task} {self.kwargs} ({state})"
