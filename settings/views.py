from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from kqm.access import role_required
from kqm.models import Role

from .selectors import access_setting_by_id


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER)
def setting_detail(request: HttpRequest, setting_id: int) -> HttpResponse:
    setting = access_setting_by_id(request.user, setting_id)  # type: ignore[arg-type]
    return render(request, "settings/detail.html", {"setting": setting})


urlpatterns = [
    path("<int:setting_id>/", setting_detail, name="detail"),
]
