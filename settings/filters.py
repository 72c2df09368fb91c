"""The register's search and filters. Unknown or invalid filter values are ignored."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from accreditation.models import Status

from . import selectors
from .models import ProviderType, Sector, Setting
from .ofsted import FOUR_POINT, FOUR_POINT_2008

KQM_STATUS_CHOICES = [*Status.choices, (selectors.NEVER_APPLIED, "Never applied")]
OFSTED_OUTCOME_CHOICES = [
    *[(grade.value, grade.label) for grade in dict.fromkeys(FOUR_POINT_2008 + FOUR_POINT)],
    (selectors.RENEWED_NO_GRADE, "Renewed framework (no overall grade)"),
    (selectors.NOT_INSPECTED, "Not inspected"),
]


class RegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name, URN or postcode", method="filter_search")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, empty_label="All sectors")
    provider_type = django_filters.ChoiceFilter(
        label="Provider type", choices=ProviderType.choices, empty_label="All provider types"
    )
    local_authority = django_filters.ChoiceFilter(
        label="Local authority", choices=[], empty_label="All local authorities"
    )
    district = django_filters.ChoiceFilter(choices=[], empty_label="All districts")
    kqm_status = django_filters.ChoiceFilter(
        label="KQM status",
        choices=KQM_STATUS_CHOICES,
        empty_label="Any KQM status",
        method="filter_kqm_status",
    )
    ofsted = django_filters.ChoiceFilter(
        label="Latest Ofsted outcome",
        choices=OFSTED_OUTCOME_CHOICES,
        empty_label="Any Ofsted outcome",
        method="filter_ofsted",
    )

    class Meta:
        model = Setting
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, values in selectors.register_areas().items():
            self.filters[name].extra["choices"] = [(v, v) for v in values]

    def filter_search(
        self, queryset: QuerySet[Setting], name: str, value: str
    ) -> QuerySet[Setting]:
        return selectors.search_register(queryset, value)

    def filter_kqm_status(
        self, queryset: QuerySet[Setting], name: str, value: str
    ) -> QuerySet[Setting]:
        return selectors.filter_by_kqm_status(queryset, value)

    def filter_ofsted(
        self, queryset: QuerySet[Setting], name: str, value: str
    ) -> QuerySet[Setting]:
        return selectors.filter_by_ofsted_outcome(queryset, value)
