"""The helpline: one message thread per accreditation (setting manager, evaluator, KQM manager).

Practitioners do not use it: questions go through their setting manager.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from kqm.access import role_required
from kqm.http import add_service_errors
from kqm.models import Role, User

from .. import selectors
from ..forms.messages import MessageForm
from ..models import Message
from ..services.messages import do_post_message, recipients_of

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER)
def message_list(request: HttpRequest, accreditation_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_post_message(
                author=user, accreditation=accreditation, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            flash.success(request, "Message sent.")
            return redirect("accreditation:message-list", accreditation_id=accreditation.pk)
    thread = Message.objects.filter(accreditation=accreditation).select_related("author")
    page = Paginator(thread.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accreditation/messages/list.html",
        {
            "accreditation": accreditation,
            "form": form,
            "page_obj": page,
            "recipients": recipients_of(accreditation, user),
        },
    )


urlpatterns = [
    path("accreditations/<int:accreditation_id>/messages/", message_list, name="message-list"),
]
