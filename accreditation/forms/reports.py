"""The reports' filter forms (read only: they choose what a report covers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings as django_settings
from django.utils import timezone

from kqm.forms import GovForm
from settings.models import Sector
from settings.selectors import register_areas

from ..models import Cohort
from ..reports.cohort import current_of
from ..reports.outcomes import Benchmark, Filters, Membership, Period
from .cohorts import GovDateField


class OutcomesFilterForm(GovForm, forms.Form):
    """What the outcomes report covers. Unbound (no query), it is the defaults: the
    configured local authority, today's snapshot, every inspection, every cohort, KQM
    settings in the programme or accredited, against every setting of the sector.

    Two queries: the local authorities in the register (kept until the register changes)
    and the cohorts.
    """

    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "All sectors"), *Sector.choices],
        required=False,
    )
    local_authority = forms.ChoiceField(
        label="Local authority",
        required=False,
        error_messages={"invalid_choice": "Select a local authority from the list"},
    )
    snapshot = GovDateField(
        what="snapshot date",
        label="Snapshot date",
        help_text="Each setting's most recent inspection on or before this date. For example "
        "31 1 2012. Leave blank for today.",
        required=False,
    )
    start = GovDateField(
        what="start of the period",
        label="Inspected from",
        help_text="Before and after: inspections from this date. For example 1 1 2009. "
        "Leave blank for no start.",
        required=False,
    )
    end = GovDateField(
        what="end of the period",
        label="Inspected to",
        help_text="For example 31 12 2010. Leave blank for no end.",
        required=False,
    )
    cohort = forms.TypedChoiceField(
        label="Cohort",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a cohort from the list"},
        help_text="Only this cohort's settings count as KQM settings.",
    )
    membership = forms.ChoiceField(
        label="KQM settings are those",
        choices=Membership.choices,
        initial=Membership.ENGAGED,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select which settings count as KQM settings"},
    )
    benchmark = forms.ChoiceField(
        label="Compare them with",
        choices=Benchmark.choices,
        initial=Benchmark.ALL,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select what to compare KQM settings with"},
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None:
            # The two choices always have an answer, so the page shows which one applies.
            data = data.copy()
            for name in ("membership", "benchmark"):
                if not data.get(name):
                    data[name] = self.base_fields[name].initial
        super().__init__(data, *args, **kwargs)
        authorities = sorted(
            {name.strip() for name in register_areas()["local_authority"]}
            | (
                {django_settings.KQM_LOCAL_AUTHORITY}
                if django_settings.KQM_LOCAL_AUTHORITY
                else set()
            ),
            key=str.lower,
        )
        field = self.fields["local_authority"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All local authorities"), *((a, a) for a in authorities)]
        field.initial = django_settings.KQM_LOCAL_AUTHORITY
        self.cohorts = {c.pk: c for c in Cohort.objects.order_by("-programme_year", "name")}
        cohort_field = self.fields["cohort"]
        assert isinstance(cohort_field, forms.ChoiceField)
        cohort_field.choices = [
            ("", "Every cohort"),
            *((pk, c.name) for pk, c in self.cohorts.items()),
        ]
        self._init_helper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        return data

    def filters(self) -> Filters:
        """The report's filters: the defaults when nothing was asked for."""
        if not self.is_bound:
            return Filters(local_authority=django_settings.KQM_LOCAL_AUTHORITY)
        data = self.cleaned_data
        cohort = self.cohorts.get(data["cohort"]) if data.get("cohort") else None
        return Filters(
            sector=data.get("sector", ""),
            local_authority=data.get("local_authority", ""),
            snapshot=data.get("snapshot"),
            period=Period(data.get("start"), data.get("end")),
            cohort_id=cohort.pk if cohort else None,
            cohort_name=cohort.name if cohort else "",
            membership=data.get("membership") or Membership.ENGAGED,
            benchmark=data.get("benchmark") or Benchmark.ALL,
        )


class ProgrammeFilterForm(GovForm, forms.Form):
    """Which cohort the programme report's cohort sections cover; the current one by default.

    The cohorts are read once (one query), for the choices and for the current cohort.
    """

    cohort = forms.TypedChoiceField(
        label="Cohort",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a cohort from the list"},
        help_text="The sections after the programme's cost are for this cohort.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohorts = {c.pk: c for c in Cohort.objects.order_by("-programme_year", "name")}
        self.current = current_of(self.cohorts.values(), timezone.localdate())
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, c.name) for pk, c in self.cohorts.items()]
        if self.current is not None:
            field.initial = self.current.pk
        self._init_helper()

    def chosen_cohort(self) -> Cohort | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("cohort"):
            return self.cohorts[self.cleaned_data["cohort"]]
        return self.current
