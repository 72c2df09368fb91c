"""Error-summary links point at an element that exists, radios and checkboxes included."""

from __future__ import annotations

import re

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.template import Context, Template


class ChoiceForm(forms.Form):
    name = forms.CharField()
    outcome = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(
        choices=[("mon", "Monday"), ("tue", "Tuesday")], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()


def test_every_error_summary_link_targets_an_element_on_the_page():
    form = ChoiceForm(data={})
    assert not form.is_valid()
    page = "{% load crispy_forms_tags crispy_forms_gds %}{% error_summary form %}{% crispy form %}"
    html = Template(page).render(Context({"form": form}))
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    anchors = re.findall(r'href="#([^"]+)"', summary)
    assert anchors == ["id_name", "id_outcome_1", "id_days_1"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html
