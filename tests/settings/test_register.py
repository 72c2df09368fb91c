"""The register: list with search, filters, sorting, pagination and CSV export; add and change."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from accreditation.models import ApplicationStatus, Status
from kqm.models import Role
from settings import selectors
from settings.models import Inspection, ProviderType, Register, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.access import assert_access, assert_field_error
from tests.factories import (
    AccreditationFactory,
    ApplicationFactory,
    InspectionFactory,
    SettingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RENEWED_JUDGEMENTS = {
    "curriculum_and_teaching": Grade.STRONG,
    "achievement": Grade.EXPECTED,
}


def renewed_inspection(setting: Setting, day: datetime.date) -> Inspection:
    return InspectionFactory(
        setting=setting,
        framework=Framework.RENEWED_2025,
        inspection_date=day,
        overall_effectiveness="",
        safeguarding=Grade.MET,
        judgements=RENEWED_JUDGEMENTS,
    )


def childcare_register_inspection(setting: Setting, day: datetime.date) -> Inspection:
    return InspectionFactory(
        setting=setting,
        register=Register.CR,
        inspection_date=day,
        overall_effectiveness=Grade.MET,
        judgements={},
    )


@pytest.fixture
def manager_alone(manager):
    """The KQM manager, with the register emptied of the fixtures' setting."""
    Setting.objects.all().delete()
    return manager


def names_on(response) -> list[str]:
    return [s.name for s in response.context["page_obj"].object_list]


def export_rows(response) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- Access ---------------------------------------------------------------------------------


def test_register_pages_are_for_the_manager_only(client, users, setting):
    for url in [
        reverse("settings:list"),
        reverse("settings:export"),
        reverse("settings:create"),
        reverse("settings:edit", args=[setting.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER])


def test_posting_to_the_forms_is_for_the_manager_only(client, users, setting):
    for url in [reverse("settings:create"), reverse("settings:edit", args=[setting.pk])]:
        assert_access(client, url, users, allowed=[Role.MANAGER], method="POST", data={})


def test_list_and_export_refuse_post(client, manager):
    client.force_login(manager)
    assert client.post(reverse("settings:list")).status_code == 405
    assert client.post(reverse("settings:export")).status_code == 405


def test_changing_an_unknown_setting_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("settings:edit", args=[987654])).status_code == 404
    assert client.post(reverse("settings:edit", args=[987654]), {}).status_code == 404


def test_the_list_links_to_adding_a_setting_and_the_ofsted_imports(client, manager, setting):
    client.force_login(manager)
    html = client.get(reverse("settings:list")).content.decode()
    assert reverse("settings:create") in html
    assert reverse("settings:import-list") in html
    assert reverse("settings:detail", args=[setting.pk]) in html


# --- Search, filters, sorting, pagination ----------------------------------------------------


def test_search_matches_part_of_the_name_urn_or_postcode_in_any_case(client, manager_alone):
    SettingFactory(name="Sunflower Pre-school", urn="EY555111", postcode="ME14 2LL")
    SettingFactory(name="Bluebell Nursery", urn="EY777222", postcode="TN1 1AA")
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url, {"q": "sunFLOWER"})) == ["Sunflower Pre-school"]
    assert names_on(client.get(url, {"q": "ey7772"})) == ["Bluebell Nursery"]
    assert names_on(client.get(url, {"q": "me14"})) == ["Sunflower Pre-school"]
    assert names_on(client.get(url, {"q": "me142ll"})) == ["Sunflower Pre-school"]
    assert names_on(client.get(url, {"q": "  tn1 1aa "})) == ["Bluebell Nursery"]
    response = client.get(url, {"q": "nothing like this"})
    html = response.content.decode()
    assert "No settings match your search" in html and "0 settings found" in html


def test_the_empty_register_says_so(client, manager_alone):
    client.force_login(manager_alone)
    html = client.get(reverse("settings:list")).content.decode()
    assert "There are no settings on the register yet" in html
    assert "as CSV" not in html


def test_filters_by_sector_provider_type_local_authority_and_district(client, manager_alone):
    SettingFactory(
        name="Maidstone Maintained",
        sector=Sector.MAINTAINED,
        provider_type=ProviderType.MAINTAINED_NURSERY_SCHOOL,
        local_authority="Kent",
        district="Maidstone",
    )
    SettingFactory(
        name="Dover Childminder",
        sector=Sector.CHILDMINDER,
        provider_type=ProviderType.CHILDMINDER,
        local_authority="Kent",
        district="Dover",
    )
    SettingFactory(name="Medway Nursery", local_authority="Medway", district="Gillingham")
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url, {"sector": Sector.MAINTAINED})) == ["Maidstone Maintained"]
    assert names_on(client.get(url, {"provider_type": ProviderType.CHILDMINDER})) == [
        "Dover Childminder"
    ]
    assert names_on(client.get(url, {"local_authority": "Kent"})) == [
        "Dover Childminder",
        "Maidstone Maintained",
    ]
    assert names_on(client.get(url, {"district": "Gillingham"})) == ["Medway Nursery"]
    response = client.get(url, {"local_authority": "Kent", "sector": Sector.CHILDMINDER})
    assert names_on(response) == ["Dover Childminder"]
    html = response.content.decode()
    # The choices come from the register, and the chosen ones stay chosen.
    assert '<option value="Kent" selected>Kent</option>' in html
    assert '<option value="Medway">Medway</option>' in html
    assert f'<option value="{Sector.CHILDMINDER}" selected>' in html


def test_unknown_filter_values_are_ignored(client, manager, setting):
    client.force_login(manager)
    response = client.get(
        reverse("settings:list"), {"sector": "spaceport", "ofsted": "stellar", "sort": "-x"}
    )
    assert response.status_code == 200
    assert names_on(response) == [setting.name]


def test_filters_by_kqm_status_of_the_latest_accreditation_or_never_applied(client, manager_alone):
    never = SettingFactory(name="Never Applied Nursery")
    in_progress = SettingFactory(name="In Progress Nursery")
    AccreditationFactory(setting=in_progress, status=Status.IN_PROGRESS)
    # An older accreditation declined, a newer one accredited: the latest counts.
    accredited = SettingFactory(name="Accredited Nursery")
    old = AccreditationFactory(setting=accredited, status=Status.DECLINED)
    newer = AccreditationFactory(setting=accredited, status=Status.ACCREDITED)
    assert newer.created_at >= old.created_at
    # Applied, not yet decided: no accreditation yet, so the application's status.
    applied = SettingFactory(name="Applied Nursery")
    ApplicationFactory(setting=applied)
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url, {"kqm_status": "never"})) == [never.name]
    assert names_on(client.get(url, {"kqm_status": Status.IN_PROGRESS})) == [in_progress.name]
    assert names_on(client.get(url, {"kqm_status": Status.ACCREDITED})) == [accredited.name]
    assert names_on(client.get(url, {"kqm_status": Status.DECLINED})) == []
    assert names_on(client.get(url, {"kqm_status": Status.APPLIED})) == [applied.name]
    html = client.get(url).content.decode()
    assert "Never applied" in html and "In progress" in html and "Accredited" in html


def test_a_new_application_after_a_lapsed_mark_shows_as_applied(client, manager_alone):
    setting = SettingFactory(name="Lapsed Then Reapplied")
    AccreditationFactory(setting=setting, status=Status.LAPSED)
    ApplicationFactory(setting=setting, status=ApplicationStatus.WAITLISTED)
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url, {"kqm_status": Status.WAITLISTED})) == [setting.name]
    assert names_on(client.get(url, {"kqm_status": Status.LAPSED})) == []


def test_filters_by_the_latest_early_years_register_outcome(client, manager_alone):
    good_now = SettingFactory(name="Good Now")
    InspectionFactory(
        setting=good_now,
        inspection_date=datetime.date(2016, 5, 1),
        framework=Framework.CIF_2015,
        overall_effectiveness=Grade.OUTSTANDING,
        judgements={},
    )
    InspectionFactory(setting=good_now, inspection_date=datetime.date(2023, 5, 1))
    # A later Childcare Register inspection does not replace the EYR outcome.
    childcare_register_inspection(good_now, datetime.date(2024, 5, 1))
    outstanding = SettingFactory(name="Outstanding Now")
    InspectionFactory(
        setting=outstanding,
        inspection_date=datetime.date(2023, 6, 1),
        overall_effectiveness=Grade.OUTSTANDING,
    )
    renewed = SettingFactory(name="Renewed Framework")
    InspectionFactory(setting=renewed, inspection_date=datetime.date(2022, 1, 10))
    renewed_inspection(renewed, datetime.date(2026, 1, 20))
    not_inspected = SettingFactory(name="Not Inspected")
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url, {"ofsted": Grade.GOOD})) == ["Good Now"]
    assert names_on(client.get(url, {"ofsted": Grade.OUTSTANDING})) == ["Outstanding Now"]
    assert names_on(client.get(url, {"ofsted": "renewed"})) == ["Renewed Framework"]
    assert names_on(client.get(url, {"ofsted": "none"})) == [not_inspected.name]
    html = client.get(url).content.decode()
    assert "No overall grade (renewed framework)" in html and "Not inspected" in html
    assert "20 Jan 2026" in html


def test_sorts_by_each_column_both_ways_with_links_in_the_headers(client, manager_alone):
    a = SettingFactory(name="Alder", urn="EY300003", postcode="CT3 1AA")
    b = SettingFactory(name="Birch", urn="EY100001", postcode="ME1 1AA")
    SettingFactory(name="Cedar", urn="EY200002", postcode="BR1 1AA")
    InspectionFactory(setting=a, inspection_date=datetime.date(2020, 1, 1))
    InspectionFactory(setting=b, inspection_date=datetime.date(2024, 1, 1))
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert names_on(client.get(url)) == ["Alder", "Birch", "Cedar"]
    assert names_on(client.get(url, {"sort": "-name"})) == ["Cedar", "Birch", "Alder"]
    assert names_on(client.get(url, {"sort": "urn"})) == ["Birch", "Cedar", "Alder"]
    assert names_on(client.get(url, {"sort": "-urn"})) == ["Alder", "Cedar", "Birch"]
    assert names_on(client.get(url, {"sort": "postcode"})) == ["Cedar", "Alder", "Birch"]
    # Never-inspected settings come last whichever way the dates run.
    assert names_on(client.get(url, {"sort": "inspected"})) == ["Alder", "Birch", "Cedar"]
    assert names_on(client.get(url, {"sort": "-inspected"})) == ["Birch", "Alder", "Cedar"]

    html = client.get(url, {"sort": "name", "sector": Sector.PVI}).content.decode()
    # The sorted column says so, and its link turns the order round, keeping the filters.
    assert (
        'aria-sort="ascending"><a class="kqm-sort-link" '
        f'href="?sort=-name&amp;sector={Sector.PVI}&amp;page=1">Name</a>'
    ) in html
    assert (
        'aria-sort="none"><a class="kqm-sort-link" '
        f'href="?sort=urn&amp;sector={Sector.PVI}&amp;page=1">URN</a>'
    ) in html
    html = client.get(url, {"sort": "-name"}).content.decode()
    assert 'aria-sort="descending"><a class="kqm-sort-link" href="?sort=name&amp;page=1"' in html


def test_paginates_by_25_and_counts_the_results(client, manager_alone):
    for n in range(30):
        SettingFactory(name=f"Nursery {n:02d}")
    client.force_login(manager_alone)
    url = reverse("settings:list")
    response = client.get(url)
    assert len(response.context["page_obj"].object_list) == 25
    html = response.content.decode()
    assert "30 settings" in html and 'rel="next"' in html
    page2 = client.get(url, {"page": 2, "sort": "-name"})
    assert names_on(page2) == [f"Nursery {n:02d}" for n in range(4, -1, -1)]
    assert 'rel="prev"' in page2.content.decode()


@pytest.mark.parametrize("rows", [3, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, manager, rows, django_assert_num_queries
):
    for n in range(rows):
        setting = SettingFactory(local_authority="Kent", district=f"District {n % 3}")
        InspectionFactory(setting=setting)
        if n % 2:
            AccreditationFactory(setting=setting, status=Status.IN_PROGRESS)
        else:
            ApplicationFactory(setting=setting)
    client.force_login(manager)
    url = reverse("settings:list")
    query = {"sort": "-inspected", "ofsted": Grade.GOOD}
    # session, user, local authorities, districts, count, the page's settings (sorted and
    # filtered by computed columns: their ids, then the rows), and the page's latest
    # inspections, and its accreditations and applications (one query)
    with django_assert_num_queries(9):
        response = client.get(url, query)
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(rows, 25)
    # The areas, the count and that page's ids are kept until the register changes.
    with django_assert_num_queries(5):
        assert client.get(url, query).status_code == 200
    # Another search is counted and found once (its count, its page's ids), then kept too.
    with django_assert_num_queries(7):
        assert client.get(url, {"q": "a"}).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(url, {"q": "a"}).status_code == 200


def test_the_counts_and_areas_kept_change_with_the_register(
    client, manager_alone, django_capture_on_commit_callbacks
):
    """What the list keeps between requests is worked out again once a setting, an
    inspection, an accreditation or an application changes."""
    kent = SettingFactory(name="Kent Nursery", local_authority="Kent")
    client.force_login(manager_alone)
    url = reverse("settings:list")
    assert "1 setting</h2>" in client.get(url).content.decode()
    assert names_on(client.get(url, {"kqm_status": Status.APPLIED})) == []
    assert names_on(client.get(url, {"ofsted": Grade.GOOD})) == []
    assert names_on(client.get(url, {"sort": "-inspected"})) == ["Kent Nursery"]

    with django_capture_on_commit_callbacks(execute=True):
        SettingFactory(name="Medway Nursery", local_authority="Medway")
    html = client.get(url).content.decode()
    assert "2 settings</h2>" in html and '<option value="Medway">Medway</option>' in html

    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(setting=kent)
    response = client.get(url, {"kqm_status": Status.APPLIED})
    assert names_on(response) == ["Kent Nursery"]
    assert "1 setting found" in response.content.decode()

    # Neither inspected: by name, the other way round.
    assert names_on(client.get(url, {"sort": "-inspected"})) == ["Medway Nursery", "Kent Nursery"]
    with django_capture_on_commit_callbacks(execute=True):
        InspectionFactory(setting=kent, inspection_date=datetime.date(2026, 1, 5))
        medway = Setting.objects.get(name="Medway Nursery")
        InspectionFactory(setting=medway, inspection_date=datetime.date(2025, 1, 1))
    assert names_on(client.get(url, {"ofsted": Grade.GOOD})) == ["Kent Nursery", "Medway Nursery"]
    # Sorted by inspection: kept, then in the new order once the inspections are in.
    assert names_on(client.get(url, {"sort": "-inspected"})) == ["Kent Nursery", "Medway Nursery"]

    with django_capture_on_commit_callbacks(execute=True):
        Setting.objects.get(name="Medway Nursery").delete()
    assert "1 setting</h2>" in client.get(url).content.decode()


def test_a_page_shows_the_columns_the_filters_and_the_export_use(client, manager_alone):
    """A page reads its rows' latest inspection and KQM status apart from the SQL that
    filters, sorts and exports them: both say the same for every kind of history."""
    day = datetime.date(2024, 3, 1)
    cases = {
        "Never Applied": [],
        "Applied": [("application", ApplicationStatus.SUBMITTED)],
        "Waitlisted": [("application", ApplicationStatus.WAITLISTED)],
        "Accepted": [("accreditation", Status.ACCEPTED)],
        "Lapsed Then Applied": [
            ("accreditation", Status.LAPSED),
            ("application", ApplicationStatus.WAITLISTED),
        ],
        "Applied Then Accredited": [
            ("application", ApplicationStatus.DECLINED),
            ("accreditation", Status.ACCREDITED),
        ],
        "Two Accreditations": [
            ("accreditation", Status.DECLINED),
            ("accreditation", Status.IN_PROGRESS),
        ],
    }
    for name, history in cases.items():
        setting = SettingFactory(name=name)
        for kind, status in history:
            if kind == "application":
                ApplicationFactory(setting=setting, status=status)
            else:
                AccreditationFactory(setting=setting, status=status)
    renewed = SettingFactory(name="Renewed Framework")
    InspectionFactory(setting=renewed, inspection_date=day)
    renewed_inspection(renewed, datetime.date(2026, 1, 20))
    childcare_register_inspection(renewed, datetime.date(2026, 2, 1))
    InspectionFactory(setting=SettingFactory(name="Good"), inspection_date=day)

    columns = ("latest_inspection_date", "latest_framework", "latest_outcome", "kqm_status")
    expected = {
        row["name"]: tuple(row[c] for c in columns)
        for row in selectors.register_rows().values("name", *columns)
    }
    assert expected["Applied"][3] == Status.APPLIED
    assert expected["Lapsed Then Applied"][3] == ApplicationStatus.WAITLISTED
    assert expected["Never Applied"][3] is None
    shown = selectors.add_register_columns(list(Setting.objects.all()))
    assert {s.name: tuple(getattr(s, c) for c in columns) for s in shown} == expected
    # A setting's own page, for the KQM manager and for its setting manager.
    member = UserFactory(role=Role.SETTING_MANAGER)
    for setting in Setting.objects.all():
        member.settings.add(setting)
        for user in (manager_alone, member):
            story = selectors.setting_story(user, setting)
            assert story.kqm_status == expected[setting.name][3], (setting.name, user.role)

    client.force_login(manager_alone)
    html = client.get(reverse("settings:list")).content.decode()
    renewed_row = html[html.index(">Renewed Framework<") :].split("</tr>")[0]
    assert "20 Jan 2026" in renewed_row and "No overall grade (renewed framework)" in renewed_row
    assert f'href="{reverse("settings:detail", args=[renewed.pk])}"' in html
    lapsed_row = html[html.index(">Lapsed Then Applied<") :].split("</tr>")[0]
    assert ">Waiting list</strong>" in lapsed_row and "Not inspected" in lapsed_row


def test_user_text_on_the_list_is_escaped(client, manager_alone):
    SettingFactory(name='<script>alert("x")</script> Nursery', local_authority="<b>Kent</b>")
    client.force_login(manager_alone)
    html = client.get(reverse("settings:list")).content.decode()
    assert "<script>alert" not in html and "<b>Kent</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Nursery" in html
    assert '<option value="&lt;b&gt;Kent&lt;/b&gt;">&lt;b&gt;Kent&lt;/b&gt;</option>' in html


# --- CSV export ------------------------------------------------------------------------------


def test_export_streams_the_whole_filtered_sorted_list_as_csv(client, manager_alone):
    kent = SettingFactory(
        name="Kent Nursery",
        urn="EY400004",
        postcode="CT1 1AA",
        local_authority="Kent",
        district="Canterbury",
        places=40,
        registration_date=datetime.date(2015, 3, 27),
    )
    InspectionFactory(setting=kent, inspection_date=datetime.date(2023, 5, 1))
    AccreditationFactory(setting=kent, status=Status.ACCREDITED)
    renewed = SettingFactory(name="Renewed Nursery", urn="EY400005", local_authority="Kent")
    renewed_inspection(renewed, datetime.date(2026, 1, 20))
    SettingFactory(name="Medway Nursery", urn="EY400006", local_authority="Medway")
    for n in range(30):  # more than a page: the export is not paginated
        SettingFactory(name=f"Kent Extra {n:02d}", local_authority="Kent")
    client.force_login(manager_alone)
    response = client.get(reverse("settings:export"), {"local_authority": "Kent", "sort": "urn"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="kqm-register-' in response["Content-Disposition"]
    rows = export_rows(response)
    assert len(rows) == 32
    assert "Medway Nursery" not in {r["Name"] for r in rows}
    assert [r["Ofsted URN"] for r in rows] == sorted(r["Ofsted URN"] for r in rows)
    first = next(r for r in rows if r["Ofsted URN"] == "EY400004")
    assert first == {
        "Ofsted URN": "EY400004",
        "Name": "Kent Nursery",
        "Sector": "Private, voluntary or independent (PVI)",
        "Provider type": "Day nursery",
        "Provider status": "",
        "Address": "1 High Street, Canterbury",
        "Town": "",
        "Postcode": "CT1 1AA",
        "Local authority": "Kent",
        "District": "Canterbury",
        "Region": "",
        "Registration date": "27/03/2015",
        "Places": "40",
        "Latest EYR inspection date": "01/05/2023",
        "Latest EYR inspection framework": "Education inspection framework (2019)",
        "Latest EYR overall effectiveness": "Good",
        "KQM status": "Accredited",
    }
    second = next(r for r in rows if r["Ofsted URN"] == "EY400005")
    assert second["Latest EYR overall effectiveness"] == "No overall grade (renewed framework)"
    assert second["KQM status"] == "Never applied"


def test_export_applies_search_and_outcome_filters(client, manager_alone):
    good = SettingFactory(name="Good Acorns")
    InspectionFactory(setting=good)
    SettingFactory(name="Uninspected Acorns")
    SettingFactory(name="Other Oaks")
    client.force_login(manager_alone)
    rows = export_rows(client.get(reverse("settings:export"), {"q": "acorns", "ofsted": "none"}))
    assert [r["Name"] for r in rows] == ["Uninspected Acorns"]
    # The list page's download link carries the same filters.
    html = client.get(reverse("settings:list"), {"q": "acorns", "ofsted": "none"}).content.decode()
    assert f"{reverse('settings:export')}?q=acorns&amp;ofsted=none" in html


def test_export_keeps_spreadsheet_formulas_out(client, manager_alone):
    SettingFactory(name='=HYPERLINK("http://example.org")', urn="EY400007")
    client.force_login(manager_alone)
    rows = export_rows(client.get(reverse("settings:export")))
    assert rows[0]["Name"] == '\'=HYPERLINK("http://example.org")'


def test_export_of_many_settings_runs_a_fixed_number_of_queries(
    client, manager_alone, django_assert_max_num_queries
):
    for _ in range(60):
        InspectionFactory(setting=SettingFactory())
    client.force_login(manager_alone)
    response = client.get(reverse("settings:export"))
    with django_assert_max_num_queries(4):
        rows = export_rows(response)
    assert len(rows) == 60


# --- Add a setting ---------------------------------------------------------------------------


def valid_setting_data(**overrides: str) -> dict[str, str]:
    data = {
        "urn": "ey 512345",
        "name": "Rainbow Day Nursery",
        "sector": Sector.PVI,
        "provider_type": ProviderType.NURSERY,
        "address": "2 Church Lane",
        "town": "Ashford",
        "postcode": "tn231aa",
        "local_authority": "Kent",
        "district": "Ashford",
        "region": "South East",
        "registration_date_0": "27",
        "registration_date_1": "3",
        "registration_date_2": "2015",
        "places": "40",
    }
    data.update(overrides)
    return data


def test_manager_adds_a_setting_with_its_urn_and_postcode_tidied(client, manager):
    client.force_login(manager)
    response = client.post(reverse("settings:create"), valid_setting_data())
    setting = Setting.objects.get(urn="EY512345")
    assert response["Location"] == reverse("settings:detail", args=[setting.pk])
    assert setting.postcode == "TN23 1AA"
    assert setting.registration_date == datetime.date(2015, 3, 27)
    assert setting.places == 40
    assert setting.history.get().history_user == manager
    page = client.get(response["Location"]).content.decode()
    assert "Rainbow Day Nursery has been added to the register" in page


def test_a_childminder_may_be_added_without_a_name(client, manager):
    client.force_login(manager)
    data = valid_setting_data(
        name="",
        sector=Sector.CHILDMINDER,
        provider_type=ProviderType.CHILDMINDER,
        postcode="",
    )
    assert client.post(reverse("settings:create"), data).status_code == 302
    assert Setting.objects.get(urn="EY512345").display_name == "Childminder (name withheld)"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"urn": "ABC"}, "urn", "Enter an Ofsted URN such as EY412345 or 2512345."),
        ({"urn": ""}, "urn", "This field is required."),
        ({"name": ""}, "name", "Enter the setting’s name"),
        ({"sector": ""}, "sector", "Choose the setting’s sector"),
        ({"provider_type": ""}, "provider_type", "Choose the provider type"),
        ({"postcode": "ZZ99"}, "postcode", "Enter a real postcode, like CT1 1AA."),
        ({"places": "forty"}, "places", "Places must be a whole number, like 40"),
        ({"places": "-1"}, "places", "Places must be 0 or more"),
        (
            {"registration_date_1": ""},
            "registration_date",
            "The registration date must include a month",
        ),
        (
            {"registration_date_0": "31", "registration_date_1": "2"},
            "registration_date",
            "The registration date must be a real date, like 27 3 2024",
        ),
        (
            {"registration_date_2": "2999"},
            "registration_date",
            "The registration date must be today or in the past",
        ),
    ],
)
def test_bad_setting_details_are_refused_beside_the_field(
    client, manager, overrides, field, message
):
    client.force_login(manager)
    data = valid_setting_data(**overrides)
    response = client.post(reverse("settings:create"), data)
    assert_field_error(response, field, message)
    assert not Setting.objects.filter(name="Rainbow Day Nursery").exists()
    # What was typed is still there.
    assert "2 Church Lane" in response.content.decode()


def test_a_urn_already_on_the_register_is_refused_whatever_its_case(client, manager, setting):
    client.force_login(manager)
    response = client.post(reverse("settings:create"), valid_setting_data(urn=setting.urn.lower()))
    assert_field_error(response, "urn", "A setting with this URN is already on the register.")
    assert Setting.objects.filter(urn=setting.urn).count() == 1


# --- Change a setting ------------------------------------------------------------------------


def test_manager_changes_a_setting_and_the_history_shows_it(client, manager, setting):
    client.force_login(manager)
    url = reverse("settings:edit", args=[setting.pk])
    form_page = client.get(url).content.decode()
    assert 'value="Little Acorns Day Nursery"' in form_page
    data = valid_setting_data(urn=setting.urn, name="Little Acorns Nursery & Pre-school")
    response = client.post(url, data)
    assert response["Location"] == reverse("settings:detail", args=[setting.pk])
    setting.refresh_from_db()
    assert setting.name == "Little Acorns Nursery & Pre-school"
    assert setting.history.first().history_user == manager
    page = client.get(response["Location"]).content.decode()
    assert "Little Acorns Day Nursery &rarr; Little Acorns Nursery &amp; Pre-school" in page


def test_saving_without_changes_writes_no_history(client, manager, setting):
    client.force_login(manager)
    url = reverse("settings:edit", args=[setting.pk])
    before = setting.history.count()
    data = {
        "urn": setting.urn,
        "name": setting.name,
        "sector": setting.sector,
        "provider_type": setting.provider_type,
        "address": setting.address,
        "postcode": setting.postcode,
    }
    assert client.post(url, data).status_code == 302
    assert setting.history.count() == before


def test_a_withheld_postcode_from_ofsted_may_stay_as_it_is(client, manager):
    childminder = SettingFactory(
        name="",
        sector=Sector.CHILDMINDER,
        provider_type=ProviderType.CHILDMINDER,
        postcode="REDACTED",
    )
    client.force_login(manager)
    data = {
        "urn": childminder.urn,
        "name": "",
        "sector": Sector.CHILDMINDER,
        "provider_type": ProviderType.CHILDMINDER,
        "postcode": "REDACTED",
        "places": "6",
    }
    assert client.post(reverse("settings:edit", args=[childminder.pk]), data).status_code == 302
    childminder.refresh_from_db()
    assert childminder.postcode == "REDACTED" and childminder.places == 6


def test_changing_to_another_settings_urn_is_refused(client, manager, setting, other_setting):
    client.force_login(manager)
    url = reverse("settings:edit", args=[setting.pk])
    response = client.post(url, valid_setting_data(urn=other_setting.urn))
    assert_field_error(response, "urn", "A setting with this URN is already on the register.")
    # The heading still names the setting as saved, not what was typed.
    assert "Little Acorns Day Nursery" in response.content.decode()
    setting.refresh_from_db()
    assert setting.name == "Little Acorns Day Nursery"
