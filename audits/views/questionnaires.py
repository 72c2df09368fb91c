"""Staff and parent questionnaires: rounds and their links (setting manager), results
(setting manager, evaluator, KQM manager), and the public answer pages (a link, no account).

The links' tokens are shown once: the service returns them, the view keeps them in the
session only until the links page has shown them, and only their hashes are stored.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import public, role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import policy
from ..forms_questionnaires import AnswerForm, NewLinksForm, RoundForm
from ..models import QuestionnaireKind, QuestionnaireRound
from ..selectors import questionnaires as selectors
from ..services import questionnaires as services
from ..services.questionnaires import LinkRefusal, LinkRefused

PAGE_SIZE = 25
SESSION_KEY = "questionnaire_links"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REFUSAL_STATUS = {
    LinkRefusal.UNKNOWN: 404,
    LinkRefusal.USED: 410,
    LinkRefusal.WITHDRAWN: 410,
    LinkRefusal.CLOSED: 410,
}


def _answer_url(token: str) -> str:
    return django_settings.SITE_URL + reverse("audits:questionnaire-answer", args=[token])


def _keep_tokens_for_display(request: HttpRequest, round_id: int, tokens: list[str]) -> None:
    shown = request.session.get(SESSION_KEY, {})
    shown[str(round_id)] = tokens
    request.session[SESSION_KEY] = shown


def _take_tokens(request: HttpRequest, round_id: int) -> list[str]:
    shown = request.session.get(SESSION_KEY, {})
    tokens = shown.pop(str(round_id), [])
    request.session[SESSION_KEY] = shown
    return list(tokens)


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when a POST is empty (so that it is checked, not ignored)."""
    return request.POST if request.method == "POST" else None


# --- Rounds (signed in) ----------------------------------------------------------------------


@require_GET
@role_required(*policy.QUESTIONNAIRE_READERS)
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = {
        key: request.GET.get(key, "").strip() for key in ("q", "kind", "state", "setting", "sort")
    }
    rounds = selectors.round_list(
        user,
        search=filters["q"],
        kind=filters["kind"],
        state=filters["state"],
        setting=filters["setting"],
        sort=filters["sort"],
    )
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    for questionnaire_round in page.object_list:
        questionnaire_round.rate = selectors.response_rate(
            questionnaire_round.response_count, questionnaire_round.links_issued
        )
    return render(
        request,
        "audits/questionnaires/list.html",
        {
            "page_obj": page,
            **filters,
            "kinds": QuestionnaireKind.choices,
            "filtered": any(filters[k] for k in ("q", "kind", "state", "setting")),
            "can_create": user.role == Role.SETTING_MANAGER,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def questionnaire_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    questionnaires = selectors.current_questionnaires()
    # The task list names the accreditation the round is for; it is preselected.
    form = RoundForm(
        _posted(request),
        settings=selectors.settings_for_new_round(user),
        questionnaires=questionnaires,
        accreditations=selectors.accreditations_for_new_round(user),
        initial={
            "accreditation": request.GET.get("accreditation", ""),
            "kind": request.GET.get("kind", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.do_create_round(
                actor=user,
                setting=form.chosen_setting(),
                accreditation=form.chosen_accreditation(),
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                closes_on=form.cleaned_data["closes_on"],
                link_count=form.cleaned_data["link_count"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _keep_tokens_for_display(request, issued.round.pk, issued.tokens)
            return redirect("audits:questionnaire-links", round_id=issued.round.pk)
    return render(
        request,
        "audits/questionnaires/new.html",
        {"form": form, "no_questionnaires": not questionnaires},
    )


@require_GET
@role_required(*policy.QUESTIONNAIRE_READERS)
def questionnaire_detail(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    questionnaire_round = selectors.access_round_by_id(user, round_id)
    return render(
        request,
        "audits/questionnaires/detail.html",
        {
            "round": questionnaire_round,
            "is_open": questionnaire_round.is_open(),
            "rate": selectors.figures_of(questionnaire_round).rate,
            "results": selectors.round_results(questionnaire_round),
            "can_manage": user.role == Role.SETTING_MANAGER,
        },
    )


@never_cache
@require_GET
@role_required(Role.SETTING_MANAGER)
def questionnaire_links(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """The links just issued, shown once, with a CSV download and a printable list."""
    questionnaire_round = selectors.access_round_by_id(request.user, round_id)
    tokens = _take_tokens(request, questionnaire_round.pk)
    links = [_answer_url(token) for token in tokens]
    csv_text = io.StringIO()
    writer = csv.writer(csv_text)
    writer.writerow(["Link number", "Link", "Closes on"])
    for number, link in enumerate(links, start=1):
        writer.writerow([number, link, questionnaire_round.closes_on.strftime("%d/%m/%Y")])
    response = render(
        request,
        "audits/questionnaires/links.html",
        {
            "round": questionnaire_round,
            "links": links,
            "csv_href": "data:text/csv;charset=utf-8," + quote(csv_text.getvalue()),
            "csv_name": f"questionnaire-links-{questionnaire_round.pk}.csv",
        },
    )
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def questionnaire_new_links(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """Withdraw the unused links and issue new ones (after confirming what that means)."""
    user = request.user
    questionnaire_round = selectors.access_round_by_id(user, round_id)
    if not questionnaire_round.is_open():
        messages.info(request, "This round has closed: no new links can be issued.")
        return redirect(questionnaire_round)
    form = NewLinksForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.do_issue_new_links(
                actor=user,
                questionnaire_round=questionnaire_round,
                link_count=form.cleaned_data["link_count"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _keep_tokens_for_display(request, issued.round.pk, issued.tokens)
            return redirect("audits:questionnaire-links", round_id=issued.round.pk)
    return render(
        request,
        "audits/questionnaires/new_links.html",
        {
            "form": form,
            "round": questionnaire_round,
            "unused": selectors.figures_of(questionnaire_round).unused,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def questionnaire_close(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """GET asks for confirmation; POST closes the round now."""
    user = request.user
    questionnaire_round = selectors.access_round_by_id(user, round_id)
    if not questionnaire_round.is_open():
        messages.info(request, "This round has already closed.")
        return redirect(questionnaire_round)
    if request.method == "POST":
        try:
            services.do_close_round(actor=user, questionnaire_round=questionnaire_round)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{questionnaire_round.title}” is closed.")
        return redirect(questionnaire_round)
    return render(request, "audits/questionnaires/close.html", {"round": questionnaire_round})


def _cell(value: Any) -> Any:
    """Keep spreadsheet programs from running text as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@require_GET
@role_required(*policy.QUESTIONNAIRE_READERS)
def questionnaire_export(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """The results as CSV: figures per statement only, never a response or a comment."""
    questionnaire_round = selectors.access_round_by_id(request.user, round_id)
    setting = questionnaire_round.setting
    assert setting is not None  # access_round_by_id returns setting rounds only
    results = selectors.round_results(questionnaire_round)
    if not results.shown:
        messages.info(request, "There are no results to download yet.")
        return redirect(questionnaire_round)
    output = io.StringIO()
    writer = csv.writer(output)
    links = selectors.figures_of(questionnaire_round).links_issued
    rate = selectors.response_rate(results.response_count, links)
    for label, value in (
        ("Round", questionnaire_round.title),
        ("Setting", setting.display_name),
        ("Ofsted URN", setting.urn),
        ("Questionnaire", str(questionnaire_round.questionnaire)),
        ("Closed on", questionnaire_round.closed_on().strftime("%d/%m/%Y")),
        ("Links issued", links),
        ("Responses", results.response_count),
        ("Response rate (%)", "" if rate is None else rate),
    ):
        writer.writerow([label, _cell(value)])
    writer.writerow([])
    writer.writerows(
        [[_cell(value) for value in row] for row in selectors.results_csv_rows(results)]
    )
    name = slugify(f"{setting.display_name} {questionnaire_round.title}")
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="questionnaire-results-{questionnaire_round.pk}-{name[:60]}.csv"'
    )
    return response


# --- The public answer pages -------------------------------------------------------------------


def _public_headers(response: HttpResponse) -> HttpResponse:
    """The token is in the address: keep it out of caches, search engines and other sites'
    referrer logs. (“same-origin”, not “no-referrer”: with no referrer at all the browser
    sends ``Origin: null`` and Django's CSRF check refuses the answers.)"""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(
    request: HttpRequest, reason: LinkRefusal, questionnaire_round: QuestionnaireRound | None
) -> HttpResponse:
    response = render(
        request,
        "public/questionnaire_refused.html",
        {"reason": reason.value, "round": questionnaire_round},
        status=REFUSAL_STATUS[reason],
    )
    return _public_headers(response)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire_answer(request: HttpRequest, token: str) -> HttpResponse:
    link, refusal = selectors.link_for_token(token)
    if refusal is not None or link is None:
        return _refused(request, refusal or LinkRefusal.UNKNOWN, link.round if link else None)
    questionnaire_round = link.round
    questionnaire = questionnaire_round.questionnaire
    scale, statements = selectors.questionnaire_layout(questionnaire)
    form = AnswerForm(
        _posted(request), questionnaire=questionnaire, scale=scale, statements=statements
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_submit_response(
                token=token, answers=form.answers(), comment=form.cleaned_data["comment"]
            )
        except LinkRefused as refused:
            return _refused(request, refused.reason, refused.round)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("audits:questionnaire-thanks")
    response = render(
        request,
        "public/questionnaire_answer.html",
        {"form": form, "round": questionnaire_round, "questionnaire": questionnaire},
    )
    return _public_headers(response)


@public
@require_GET
def questionnaire_thanks(request: HttpRequest) -> HttpResponse:
    return _public_headers(render(request, "public/questionnaire_thanks.html"))


urlpatterns = [
    path("questionnaires/", questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", questionnaire_new, name="questionnaire-new"),
    path("questionnaires/<int:round_id>/", questionnaire_detail, name="questionnaire-detail"),
    path("questionnaires/<int:round_id>/links/", questionnaire_links, name="questionnaire-links"),
    path(
        "questionnaires/<int:round_id>/new-links/",
        questionnaire_new_links,
        name="questionnaire-new-links",
    ),
    path("questionnaires/<int:round_id>/close/", questionnaire_close, name="questionnaire-close"),
    path(
        "questionnaires/<int:round_id>/results.csv",
        questionnaire_export,
        name="questionnaire-export",
    ),
    path("questionnaires/thank-you/", questionnaire_thanks, name="questionnaire-thanks"),
    path("questionnaires/answer/<str:token>/", questionnaire_answer, name="questionnaire-answer"),
]
