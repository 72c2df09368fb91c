"""Each layout Ofsted has published imports completely, field by field, as CSV, XLSX or ODS."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from settings import importer, services_import
from settings.models import (
    ImportStatus,
    Inspection,
    InspectionType,
    ProviderType,
    Register,
    Sector,
    Setting,
)
from settings.ofsted import Framework, Grade
from tests.factories import SettingFactory

from . import ofsted_layouts as layouts

pytestmark = pytest.mark.django_db

REIF = "EYR REIF: Most recent: "
OEIF = "EYR OEIF: Most recent: "
OEIF_CIF = "EYR OEIF/CIF: Most recent: "


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def import_file(data: bytes, user, name: str = "ofsted.csv"):
    """Upload, preview, confirm and apply through the services, as the command does."""
    how = importer.inspect_file(io.BytesIO(data))
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=user, upload=SimpleUploadedFile(name, data), encoding=how, check_now=False
    )
    checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    assert checked is not None
    assert checked.status == ImportStatus.PREVIEWED, checked.error_message
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=user, run_in_background=False
    )
    done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None
    assert done.status == ImportStatus.IMPORTED, done.error_message
    return done


def inspections_of(urn: str) -> dict[tuple[str, datetime.date], Inspection]:
    return {
        (i.register, i.inspection_date): i
        for i in Inspection.objects.filter(setting__urn=urn).order_by("inspection_date")
    }


def current_rows() -> list[dict[str, str]]:
    nursery = {
        "Web link": "https://reports.ofsted.gov.uk/provider/16/EY600001",
        "Provider URN": "EY600001",
        "Provider type": "Childcare on non-domestic premises",
        "Provider subtype": "Full day care",
        "Provider status": "Active",
        "Provider name": "Little Oaks Nursery",
        "Registration date": "03/04/2011",
        "Provider Early Years Register flag": "Y",
        "Individual register combinations": "EYR and both parts of the CR",
        "Registered person URN": "RP500001",
        "Registered person name": "Little Oaks Ltd",
        "Provider address line 1": "5 Station Road",
        "Provider address line 2": "Whitstable",
        "Provider address line 3": "",
        "Provider town": "Canterbury",
        "Provider postcode": "ct5 1aa",
        "Local authority": "Kent",
        "Region": "South East",
        "Parliamentary constituency": "Canterbury",
        "Deprivation band": "3",
        "Places": "62",
        REIF + "Inspection date": "12/01/2026",
        REIF + "Inspection visit type": "Full inspection",
        REIF + "Inspection number": "10400001",
        REIF + "Safeguarding standards met?": "Yes",
        REIF + "Inclusion": "Expected standard",
        REIF + "Curriculum and teaching": "Strong standard",
        REIF + "Achievement": "Needs attention",
        REIF + "Behaviour, attitudes and establishing routines": "Exceptional",
        REIF + "Children's welfare and wellbeing": "Expected standard",
        REIF + "Leadership and governance": "Urgent improvement",
        OEIF + "Full inspection number": "10300001",
        OEIF + "Full inspection date": "14/03/2022",
        OEIF_CIF + "Overall effectiveness": "Good",
        OEIF + "Quality of education": "2",
        OEIF + "Behaviour and attitudes": "Outstanding",
        OEIF + "Personal development": "Good",
        OEIF_CIF + "Effectiveness of leadership and management": "Requires improvement",
        OEIF + "Safeguarding is effective?": "Yes",
        "CR: Most recent: Inspection date": "20/06/2023",
        "CR: Compliance": "Met",
        "CCR requirements suitability": "Met",
    }
    childminder = {
        "Provider URN": "EY600002",
        "Provider type": "Childminder",
        "Provider subtype": "Childminder",
        "Provider status": "Active",
        "Provider name": "REDACTED",
        "Registered person name": "REDACTED",
        "Provider address line 1": "REDACTED",
        "Provider address line 2": "REDACTED",
        "Provider address line 3": "REDACTED",
        "Provider town": "REDACTED",
        "Provider postcode": "REDACTED",
        "Local authority": "Kent",
        "Places": "6",
        OEIF + "Full inspection number": "10200002",
        OEIF + "Full inspection date": "10/05/2018",
        OEIF_CIF + "Overall effectiveness": "1",
        OEIF_CIF + "Effectiveness of leadership and management": "Good",
    }
    no_children = {
        "Provider URN": "EY600003",
        "Provider type": "Childcare on domestic premises",
        "Provider name": "Tiny Steps",
        "Local authority": "Kent",
        "EYR OEIF NCOR: Most recent: Inspection date": "12/12/2022",
        "EYR OEIF NCOR: Most recent: Overall effectiveness": "Not met (with actions)",
    }
    out_of_school = {
        "Provider URN": "EY600004",
        "Provider type": "Childcare on non-domestic premises",
        "Provider subtype": "Out of school day care",
        "Provider name": "After School Club",
        "Local authority": "Kent",
        "EYR OEIF OOSC: Most recent: Inspection date": "03/03/2023",
        "EYR OEIF OOSC: Most recent: Overall effectiveness": "Requires improvement",
        "EYR OEIF OOSC: Most recent: Safeguarding is effective?": "No",
    }
    return [nursery, childminder, no_children, out_of_school]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_current_layout_imports_every_grade_judgement_and_answer(manager, fmt):
    header, titles = layouts.LAYOUTS["current"]
    if fmt == "xlsx":
        data = layouts.to_xlsx(current_rows(), header, titles)
    elif fmt == "ods":
        data = layouts.to_ods(current_rows(), header, titles)
    else:
        data = layouts.to_csv(current_rows(), header, titles)
    done = import_file(data, manager, f"providers.{fmt}")
    assert (done.to_create, done.rejected, done.warnings_count) == (4, 0, 0)
    assert done.as_at == datetime.date(2026, 3, 31)

    nursery = Setting.objects.get(urn="EY600001")
    assert (nursery.name, nursery.provider_type, nursery.provider_subtype) == (
        "Little Oaks Nursery",
        ProviderType.NON_DOMESTIC,
        "Full day care",
    )
    assert (nursery.address, nursery.town, nursery.postcode) == (
        "5 Station Road\nWhitstable",
        "Canterbury",
        "CT5 1AA",
    )
    assert (nursery.registration_date, nursery.places) == (datetime.date(2011, 4, 3), 62)
    assert (nursery.registered_person_urn, nursery.registered_person_name) == (
        "RP500001",
        "Little Oaks Ltd",
    )
    assert (nursery.local_authority, nursery.region, nursery.district) == (
        "Kent",
        "South East",
        "",
    )
    found = inspections_of("EY600001")
    assert set(found) == {
        (Register.EYR, datetime.date(2026, 1, 12)),
        (Register.EYR, datetime.date(2022, 3, 14)),
        (Register.CR, datetime.date(2023, 6, 20)),
    }
    renewed = found[(Register.EYR, datetime.date(2026, 1, 12))]
    assert renewed.framework == Framework.RENEWED_2025
    assert (renewed.overall_effectiveness, renewed.safeguarding) == ("", Grade.MET)
    assert (renewed.inspection_number, renewed.inspection_type) == ("10400001", "full")
    assert renewed.judgements == {
        "inclusion": Grade.EXPECTED,
        "curriculum_and_teaching": Grade.STRONG,
        "achievement": Grade.NEEDS_ATTENTION,
        "behaviour_attitudes_routines": Grade.EXCEPTIONAL,
        "welfare_and_wellbeing": Grade.EXPECTED,
        "leadership_and_governance": Grade.URGENT_IMPROVEMENT,
    }
    eif = found[(Register.EYR, datetime.date(2022, 3, 14))]
    assert eif.framework == Framework.EIF_2019
    assert (eif.overall_effectiveness, eif.safeguarding) == (Grade.GOOD, Grade.MET)
    assert eif.inspection_number == "10300001"
    assert eif.judgements == {
        "quality_of_education": Grade.GOOD,
        "behaviour_and_attitudes": Grade.OUTSTANDING,
        "personal_development": Grade.GOOD,
        "leadership_and_management": Grade.REQUIRES_IMPROVEMENT,
    }
    childcare = found[(Register.CR, datetime.date(2023, 6, 20))]
    assert (childcare.overall_effectiveness, childcare.judgements) == (Grade.MET, {})
    for inspection in found.values():
        inspection.full_clean()

    minder = Setting.objects.get(urn="EY600002")
    assert (minder.name, minder.address, minder.postcode, minder.places) == ("", "", "", 6)
    (cif,) = inspections_of("EY600002").values()
    assert (cif.register, cif.framework, cif.overall_effectiveness) == (
        Register.EYR,
        Framework.CIF_2015,
        Grade.OUTSTANDING,
    )
    assert cif.judgements == {"leadership_and_management": Grade.GOOD}
    assert cif.inspection_number == "10200002"

    (ncor,) = inspections_of("EY600003").values()
    assert (ncor.register, ncor.framework, ncor.overall_effectiveness) == (
        Register.NCOR,
        Framework.EIF_2019,
        Grade.NOT_MET,
    )
    (oosc,) = inspections_of("EY600004").values()
    assert (oosc.register, oosc.framework) == (Register.OOSC, Framework.EIF_2019)
    assert (oosc.overall_effectiveness, oosc.safeguarding) == (
        Grade.REQUIRES_IMPROVEMENT,
        Grade.NOT_MET,
    )


def layout_2018_rows() -> list[dict[str, str]]:
    return [
        {
            "Provider URN": "EY700001",
            "Provider type": "Childcare on non-domestic premises",
            "Provider subtype": "Full day care",
            "Provider status": "Active",
            "Provider name": "Bluebell Nursery",
            "Registered_Person_Name": "Bluebell Ltd",
            "Registration date": "01/09/2009",
            "Local authority": "Kent",
            "Ofsted region": "South East",
            "Postcode": "ME1 1AA",
            "Telephone Number": "01234 567890",
            "Deprivation Band": "2",
            "Places including estimates": "48",
            "Most recent full: Inspection number": "10130001",
            "Most recent full: Inspection date": "14/01/2020",
            "Most recent full: Overall effectiveness": "2",
            "Quality of education": "2",
            "Behaviour and attitudes": "1",
            "Personal development": "2",
            "Effectiveness of leadership and management": "3",
            "Safeguarding is effective?": "Yes",
            "Second most recent full: Inspection number": "10020001",
            "Second most recent full: Inspection date": "05/05/2016",
            "Second most recent full: Overall effectiveness": "Requires improvement",
            "Third most recent full: Inspection number": "000001",
            "Third most recent full: Inspection date": "01/02/2012",
            "Third most recent full: Overall effectiveness": "Satisfactory",
            "CR: Inspection number": "10140001",
            "CR: Inspection date": "01/06/2019",
            "CR: Overall effectiveness": "Met",
        },
        {
            "Provider URN": "EY700002",
            "Provider type": "Childminder",
            "Provider name": "REDACTED",
            "Registered_Person_Name": "REDACTED",
            "Postcode": "REDACTED",
            "Local authority": "Medway",
            "Places including estimates": "6",
            "Most recent full: Inspection date": "01/10/2013",
            "Most recent full: Overall effectiveness": "3",
            "Second most recent full: Inspection date": "01/12/2013",
            "Second most recent full: Overall effectiveness": "3",
            "NCOR: Inspection number": "10150002",
            "NCOR: Inspection date": "04/04/2019",
            "NCOR: Overall effectiveness": "Not met",
        },
    ]


def test_the_2018_layout_imports_bare_areas_and_historic_inspections(manager):
    header, titles = layouts.LAYOUTS["2018"]
    done = import_file(layouts.to_csv(layout_2018_rows(), header, titles), manager)
    assert (done.to_create, done.rejected, done.warnings_count) == (2, 0, 0)
    assert done.inspections_to_create == 7

    nursery = Setting.objects.get(urn="EY700001")
    assert (nursery.registered_person_name, nursery.postcode, nursery.region) == (
        "Bluebell Ltd",
        "ME1 1AA",
        "South East",
    )
    assert nursery.places == 48  # "Places including estimates"
    found = inspections_of("EY700001")
    latest = found[(Register.EYR, datetime.date(2020, 1, 14))]
    assert (latest.framework, latest.overall_effectiveness, latest.safeguarding) == (
        Framework.EIF_2019,
        Grade.GOOD,
        Grade.MET,
    )
    assert latest.inspection_number == "10130001"
    assert latest.judgements == {
        "quality_of_education": Grade.GOOD,
        "behaviour_and_attitudes": Grade.OUTSTANDING,
        "personal_development": Grade.GOOD,
        "leadership_and_management": Grade.REQUIRES_IMPROVEMENT,
    }
    second = found[(Register.EYR, datetime.date(2016, 5, 5))]
    assert (second.framework, second.overall_effectiveness, second.judgements) == (
        Framework.CIF_2015,
        Grade.REQUIRES_IMPROVEMENT,
        {},
    )
    third = found[(Register.EYR, datetime.date(2012, 2, 1))]
    assert (third.framework, third.overall_effectiveness) == (
        Framework.EYFS_2008,
        Grade.SATISFACTORY,
    )
    childcare = found[(Register.CR, datetime.date(2019, 6, 1))]
    assert (childcare.overall_effectiveness, childcare.inspection_number) == (
        Grade.MET,
        "10140001",
    )

    minder = Setting.objects.get(urn="EY700002")
    assert (minder.name, minder.registered_person_name, minder.postcode) == ("", "", "")
    found = inspections_of("EY700002")
    # Grade 3 of the 2012 framework was "satisfactory" until 3 November 2013.
    before = found[(Register.EYR, datetime.date(2013, 10, 1))]
    after = found[(Register.EYR, datetime.date(2013, 12, 1))]
    assert (before.framework, before.overall_effectiveness) == (
        Framework.EY_2012,
        Grade.SATISFACTORY,
    )
    assert after.overall_effectiveness == Grade.REQUIRES_IMPROVEMENT
    ncor = found[(Register.NCOR, datetime.date(2019, 4, 4))]
    assert (ncor.overall_effectiveness, ncor.inspection_number) == (Grade.NOT_MET, "10150002")
    for inspection in Inspection.objects.all():
        inspection.full_clean()


def test_the_management_information_layout_imports_the_most_recent_full_inspection(manager):
    header, titles = layouts.LAYOUTS["mi"]
    rows = [
        {
            "Provider URN": "EY800001",
            "Registration Date": "15/06/2015",
            "Provider Type": "Childcare on non-domestic premises",
            "Provider Subtype": "Sessional day care",
            "Provider Status": "Active",
            "Provider Name": "Acorn Pre-school",
            "Provider Postcode": "TN1 1AA",
            "Local Authority": "Kent",
            "Places": "",
            "Places including Estimates": "26",
            "Most Recent Full: Inspection Date": "09/11/2021",
            "Most Recent Full: Overall Effectiveness": "Outstanding",
        },
        {
            "Provider URN": "EY800002",
            "Provider Type": "Childminder",
            "Provider Name": "REDACTED",
            "Provider Postcode": "REDACTED",
            "Local Authority": "Kent",
            "Places": "5",
            "Most Recent Full: Inspection Date": "02/02/2024",
            "Most Recent Full: Overall Effectiveness": "Good",
        },
    ]
    done = import_file(layouts.to_csv(rows, header, titles), manager)
    assert (done.to_create, done.rejected, done.warnings_count) == (2, 0, 0)
    assert done.as_at == datetime.date(2024, 12, 31)
    pre_school = Setting.objects.get(urn="EY800001")
    assert (pre_school.name, pre_school.provider_subtype, pre_school.postcode) == (
        "Acorn Pre-school",
        "Sessional day care",
        "TN1 1AA",
    )
    assert (pre_school.places, pre_school.registration_date) == (26, datetime.date(2015, 6, 15))
    (inspection,) = inspections_of("EY800001").values()
    assert (inspection.register, inspection.framework, inspection.overall_effectiveness) == (
        Register.EYR,
        Framework.EIF_2019,
        Grade.OUTSTANDING,
    )
    assert inspection.inspection_type == InspectionType.FULL
    minder = Setting.objects.get(urn="EY800002")
    assert (minder.name, minder.places) == ("", 5)
    assert inspections_of("EY800002")[
        (Register.EYR, datetime.date(2024, 2, 2))
    ].overall_effectiveness == (Grade.GOOD)


def test_fields_a_layout_does_not_carry_are_never_changed(manager):
    """The MI layout has no address, town or register combination; no layout has a district."""
    SettingFactory(
        urn="EY800001",
        name="Old name",
        address="1 Lane",
        town="Tonbridge",
        district="Tunbridge Wells",
        register_combination="EYR",
    )
    header, titles = layouts.LAYOUTS["mi"]
    rows = [
        {
            "Provider URN": "EY800001",
            "Provider Type": "Childcare on non-domestic premises",
            "Provider Name": "New name",
            "Local Authority": "Kent",
            "Most Recent Full: Inspection Date": "09/11/2021",
            "Most Recent Full: Overall Effectiveness": "Good",
        }
    ]
    import_file(layouts.to_csv(rows, header, titles), manager)
    setting = Setting.objects.get(urn="EY800001")
    assert (setting.name, setting.local_authority) == ("New name", "Kent")
    assert (setting.address, setting.town, setting.district, setting.register_combination) == (
        "1 Lane",
        "Tonbridge",
        "Tunbridge Wells",
        "EYR",
    )
    # The history records the change with its old and new values.
    latest = setting.history.latest()
    delta = latest.diff_against(latest.prev_record)
    changed = {change.field: (change.old, change.new) for change in delta.changes}
    assert changed["name"] == ("Old name", "New name")
    assert changed["local_authority"][1] == "Kent"
    assert "district" not in changed and "address" not in changed


def school(urn: str, **cells: str) -> dict[str, str]:
    return {
        "URN": urn,
        "LAESTAB": "8861001",
        "School name": f"School {urn}",
        "Ofsted phase": "Nursery",
        "Type of education": "Community school",
        "Local authority": "Kent",
        "Inspection number": f"10{urn}",
        "Inspection type": "S5 Inspection",
        "Inspection start date": "07/02/2023",
        "Publication date": "20/03/2023",
        "Overall effectiveness": "1",
        "Quality of education": "1",
        "Behaviour and attitudes": "2",
        "Personal development": "1",
        "Effectiveness of leadership and management": "1",
        "Safeguarding is effective?": "Yes",
        "Early years provision (where applicable)": "1",
        **cells,
    }


@pytest.mark.parametrize("layout", ["schools", "schools_2024"])
def test_the_schools_file_grades_the_maintained_settings_only(manager, layout):
    nursery_school = SettingFactory(
        urn="118001",
        name="Hill Top Nursery School",
        sector=Sector.MAINTAINED,
        provider_type=ProviderType.MAINTAINED_NURSERY_SCHOOL,
    )
    SettingFactory(
        urn="118002",
        name="St Mary's nursery class",
        sector=Sector.MAINTAINED,
        provider_type=ProviderType.MAINTAINED_NURSERY_CLASS,
    )
    SettingFactory(urn="118003", name="A PVI nursery", sector=Sector.PVI)
    rows = [
        school("118001"),
        school(
            "118002",
            **{
                "Ofsted phase": "Primary",
                "Inspection start date": "15/11/2022",
                "Overall effectiveness": "2",
                "Early years provision (where applicable)": "Outstanding",
                "Safeguarding is effective?": "No",
            },
        ),
        school("118003"),
        school("118004"),
    ]
    header, titles = layouts.LAYOUTS[layout]
    if layout == "schools_2024":
        names = layouts.SCHOOLS_2024_NAMES
        rows = [{names.get(key, key): value for key, value in r.items()} for r in rows]
    done = import_file(layouts.to_csv(rows, header, titles), manager)
    assert (done.to_create, done.to_update, done.out_of_scope, done.rejected) == (0, 2, 2, 0)
    assert done.inspections_to_create == 2

    nursery_school.refresh_from_db()
    assert nursery_school.name == "Hill Top Nursery School"  # the school's row changes no details
    (graded,) = inspections_of("118001").values()
    assert (graded.register, graded.framework, graded.inspection_date) == (
        Register.EYR,
        Framework.EIF_2019,
        datetime.date(2023, 2, 7),
    )
    assert (graded.overall_effectiveness, graded.safeguarding) == (Grade.OUTSTANDING, Grade.MET)
    assert graded.judgements == {
        "quality_of_education": Grade.OUTSTANDING,
        "behaviour_and_attitudes": Grade.GOOD,
        "personal_development": Grade.OUTSTANDING,
        "leadership_and_management": Grade.OUTSTANDING,
        "early_years_provision": Grade.OUTSTANDING,
    }
    assert graded.inspection_number == "10118001"
    graded.full_clean()
    (nursery_class,) = inspections_of("118002").values()
    assert (nursery_class.overall_effectiveness, nursery_class.safeguarding) == (
        Grade.GOOD,
        Grade.NOT_MET,
    )
    assert nursery_class.judgements["early_years_provision"] == Grade.OUTSTANDING
    assert not inspections_of("118003") and not Setting.objects.filter(urn="118004").exists()
