"""What every view module shares: the signed-in request, and a service's errors on a form.

``AuthenticatedHttpRequest`` is the request of a view behind ``role_required``: its user is
a KQM user, never anonymous (as in Healthchecks' ``hc/accounts/http.py``), so views read
``request.user`` with its type. ``add_service_errors`` puts the ``ValidationError`` a
``do_*`` service raised onto the form that was shown: each error beside the field it names,
the rest at the top of the form (the error summary links to each).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """A service's error beside the field it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
