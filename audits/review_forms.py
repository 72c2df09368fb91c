"""Forms for the evaluator's review of a leadership self-audit. Forms validate; services write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms

from kqm.forms import GovForm

from .models import ReviewVerdict, ScaleValue
from .scoring import ItemDef
from .services.leadership_review import COMMENT_MAX, REOPEN_REASON_MAX, ReviewInput

SUMMARY_MAX = 4000


def verdict_name(item_id: int) -> str:
    return f"item-{item_id}-verdict"


def agreed_name(item_id: int) -> str:
    return f"item-{item_id}-agreed"


def comment_name(item_id: int) -> str:
    return f"item-{item_id}-comment"


class ItemReviewsForm(forms.Form):
    """One subscale's items: agree, or adjust with the agreed rating and a comment.

    Rendered field by field by ``templates/audits/review/review.html`` (GOV.UK radios with
    the rating and comment revealed under "Adjust").
    """

    def __init__(
        self, *args: Any, items: Sequence[ItemDef], scale: Sequence[ScaleValue], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        rating_choices = [("", "Choose a rating")] + [(str(p.value), str(p)) for p in scale]
        for item in self.items:
            self.fields[verdict_name(item.id)] = forms.ChoiceField(
                label=f"{item.number}. {item.title}",
                choices=[
                    (ReviewVerdict.AGREE, "Agree with the setting's rating"),
                    (ReviewVerdict.ADJUST, "Adjust the rating"),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose whether you agree with the rating of item {item.number}",
                    "invalid_choice": (
                        f"Choose whether you agree with the rating of item {item.number}"
                    ),
                },
            )
            self.fields[agreed_name(item.id)] = forms.TypedChoiceField(
                label=f"Agreed rating for item {item.number}",
                choices=rating_choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": "Choose a rating from the list"},
            )
            self.fields[comment_name(item.id)] = forms.CharField(
                label=f"Why are you adjusting the rating of item {item.number}?",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=COMMENT_MAX,
                error_messages={
                    "max_length": f"The comment must be {COMMENT_MAX} characters or fewer"
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            if data.get(verdict_name(item.id)) != ReviewVerdict.ADJUST:
                continue
            if data.get(agreed_name(item.id)) is None and agreed_name(item.id) not in self.errors:
                self.add_error(
                    agreed_name(item.id), f"Choose the agreed rating for item {item.number}"
                )
            if not (data.get(comment_name(item.id)) or "").strip() and (
                comment_name(item.id) not in self.errors
            ):
                self.add_error(
                    comment_name(item.id),
                    f"Say why you are adjusting the rating of item {item.number}",
                )
        return data

    def reviews(self) -> list[ReviewInput]:
        data = self.cleaned_data
        answers = []
        for item in self.items:
            verdict = data[verdict_name(item.id)]
            adjusting = verdict == ReviewVerdict.ADJUST
            answers.append(
                ReviewInput(
                    item_id=item.id,
                    verdict=verdict,
                    agreed_score=data.get(agreed_name(item.id)) if adjusting else None,
                    comment=(data.get(comment_name(item.id)) or "") if adjusting else "",
                )
            )
        return answers


class CompleteReviewForm(GovForm, forms.Form):
    summary = forms.CharField(
        label="Summary of your review (optional)",
        help_text="The setting reads this with the agreed ratings.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=SUMMARY_MAX,
        error_messages={"max_length": f"The summary must be {SUMMARY_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.textarea("summary"))


class ReopenReviewForm(GovForm, forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this review?",
        help_text=f"Kept in the review's history ({REOPEN_REASON_MAX} characters at most).",
        max_length=REOPEN_REASON_MAX,
        error_messages={
            "required": "Say why the review is being reopened",
            "max_length": f"The reason must be {REOPEN_REASON_MAX} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
