"""The helpline: one message thread per accreditation between the setting, its evaluator and
the KQM manager, so that questions are answered in one place rather than lost in inboxes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Message(models.Model):
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["accreditation", "-created_at"])]

    def __str__(self) -> str:
        return f"Message from {self.author} on {self.created_at:%d %b %Y %H:%M}"
