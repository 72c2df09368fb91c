"""Forms for half-day workshops, bookings and attendance. Forms validate; services write."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from kqm.forms import GovForm
from settings.models import Setting

from ..models import WorkshopBooking
from .cohorts import WHOLE_NUMBER_INPUT, GovDateField
from .visits import GovTimeField

# A half day: the longest a workshop may run.
LONGEST = datetime.timedelta(hours=4)
MAX_PLACES = 500


class WorkshopForm(GovForm, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        initial="Re-accreditation workshop",
        error_messages={"required": "Enter the workshop's title"},
    )
    date = GovDateField(
        what="date of the workshop",
        label="Date",
        help_text="For example, 4 3 2027. A workshop that has taken place can be recorded, "
        "then its attendance.",
    )
    starts_at = GovTimeField(
        what="start time", label="Start time", help_text="On the 24-hour clock, like 09:30"
    )
    ends_at = GovTimeField(
        what="end time", label="End time", help_text="On the 24-hour clock, like 12:30"
    )
    venue = forms.CharField(
        label="Venue",
        max_length=200,
        help_text="For example “Kent Education Centre, Room 2”.",
        error_messages={"required": "Enter the venue"},
    )
    address = forms.CharField(
        label="Address (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=MAX_PLACES,
        widget=WHOLE_NUMBER_INPUT,
        help_text="How many settings can book a place.",
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Enter the number of places as a whole number, like 20",
            "min_value": "The workshop needs at least 1 place",
            "max_value": f"A workshop can have at most {MAX_PLACES} places",
        },
    )
    notes = forms.CharField(
        label="Notes for settings (optional)",
        help_text="What to bring, parking, who the workshop is for.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("title"),
            Field("date"),
            Field.text("starts_at", field_width=5),
            Field.text("ends_at", field_width=5),
            Field.text("venue"),
            Field.textarea("address"),
            Field.text("capacity", field_width=4),
            Field.textarea("notes"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end:
            day = datetime.date(2000, 1, 1)
            length = datetime.datetime.combine(day, end) - datetime.datetime.combine(day, start)
            if length <= datetime.timedelta(0):
                self.add_error("ends_at", "The end time must be after the start time")
            elif length > LONGEST:
                self.add_error("ends_at", "A half-day workshop lasts at most 4 hours")
        return data


class BookingForm(GovForm, forms.Form):
    attendee_name = forms.CharField(
        label="Who will attend?",
        help_text="The name of the person from your setting who will come to the workshop.",
        max_length=150,
        error_messages={"required": "Enter the name of the person who will attend"},
    )

    def __init__(self, *args: Any, settings: Sequence[Setting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setting_options = {setting.pk: setting for setting in settings}
        layout: list[Any] = []
        if len(self.setting_options) > 1:
            self.fields["setting"] = forms.TypedChoiceField(
                label="Which setting is the place for?",
                choices=[(s.pk, s.display_name) for s in settings],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select the setting the place is for",
                    "invalid_choice": "Select one of your settings without a place",
                },
            )
            layout.append(Field.radios("setting", legend_size=Size.SMALL))
        layout.append(Field.text("attendee_name"))
        self._init_helper()
        self.helper.layout = Layout(*layout)

    @property
    def chosen_setting(self) -> Setting:
        if "setting" in self.fields:
            return self.setting_options[self.cleaned_data["setting"]]
        return next(iter(self.setting_options.values()))


def attendance_field(booking: WorkshopBooking) -> str:
    return f"booking_{booking.pk}"


class AttendanceForm(GovForm, forms.Form):
    """One question per live booking: did the setting's person attend?"""

    def __init__(self, *args: Any, bookings: Sequence[WorkshopBooking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        layout: list[Any] = []
        for booking in self.bookings:
            name = attendance_field(booking)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{booking.setting.display_name}: {booking.attendee_name}",
                choices=[("yes", "Attended"), ("no", "Did not attend")],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select whether {booking.attendee_name} from "
                    f"{booking.setting.display_name} attended"
                },
            )
            if booking.attended is not None:
                self.initial.setdefault(name, "yes" if booking.attended else "no")
            layout.append(Field.radios(name, legend_size=Size.SMALL, inline=True))
        self._init_helper()
        self.helper.layout = Layout(*layout)

    @property
    def attendance(self) -> dict[int, bool]:
        return {b.pk: self.cleaned_data[attendance_field(b)] for b in self.bookings}


class AttendeeForm(GovForm, forms.Form):
    """The KQM manager adds a setting that came to a workshop that has taken place."""

    setting = forms.TypedChoiceField(
        label="Which setting came?",
        coerce=int,
        error_messages={
            "required": "Select the setting that came",
            "invalid_choice": "Select one of the settings listed",
        },
    )
    attendee_name = forms.CharField(
        label="Who came?",
        max_length=150,
        error_messages={"required": "Enter the name of the person who attended"},
    )

    def __init__(self, *args: Any, settings: Sequence[Setting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setting_options = {setting.pk: setting for setting in settings}
        field = self.fields["setting"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a setting"), *((s.pk, s.display_name) for s in settings)]
        self._init_helper()
        self.helper.layout = Layout(Field.select("setting"), Field.text("attendee_name"))

    @property
    def chosen_setting(self) -> Setting:
        return self.setting_options[self.cleaned_data["setting"]]
