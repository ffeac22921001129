"""The status page: reference and email show status, received, target and topic, nothing more."""

import pytest
from django.urls import reverse

from cases.intake.references import display

NOT_FOUND = "We could not find a request with this reference number and email address."


def look_up(client, reference, email):
    return client.post(reverse("cases:status"), {"reference": reference, "email": email}, follow=True)


def test_status_form(db, client):
    page = client.get(reverse("cases:status")).content.decode()
    assert "Check the status of a request" in page and 'name="reference"' in page and 'name="email"' in page


def test_found_shows_only_status_received_target_topic(make_case, client):
    """The right pair shows the four facts, and none of the client's details."""
    case = make_case(description="Secret description", business_number="123456782")
    page = look_up(client, display(case.reference).lower().replace("-", " "), "ANN@example.org").content.decode()
    assert f"Request {case.display_reference}" in page
    assert "Received" in page and "Accessing the CARM Client Portal" in page
    assert case.due_local.strftime("%A, %B %-d, %Y") in page
    for private in ("Secret description", "Ann Smith", "123456782", "ann@example.org"):
        assert private not in page


@pytest.mark.parametrize(
    "reference, email",
    [
        ("{ref}", "someone@example.org"),  # wrong email
        ("{unknown}", "ann@example.org"),  # valid but unknown reference
        ("{typo}", "ann@example.org"),  # mistyped: fails the check character
        ("hello", "ann@example.org"),  # not a reference at all
    ],
)
def test_every_miss_gets_the_same_answer(make_case, client, reference, email):
    """A wrong email, an unknown reference and a mistyped one all read the same."""
    from cases.intake.references import new_reference

    case = make_case()
    typo = case.reference[:-1] + ("0" if case.reference[-1] != "0" else "1")
    values = {"ref": case.reference, "unknown": new_reference(), "typo": typo}
    response = look_up(client, reference.format(**values), email)
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_FOUND in page and "<title>Error:" in page
    assert case.display_reference not in page


def test_mistyped_reference_is_never_looked_up(make_case, client):
    """A reference failing its check character is not looked up, yet costs the same queries as a miss."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.intake.references import new_reference

    case = make_case()
    typo = case.reference[:-1] + ("0" if case.reference[-1] != "0" else "1")
    with CaptureQueriesContext(connection) as mistyped:
        look_up(client, typo, "ann@example.org")
    with CaptureQueriesContext(connection) as unknown:
        look_up(client, new_reference(), "ann@example.org")
    assert not any(typo in query["sql"] for query in mistyped.captured_queries)
    lookups = [[q for q in run.captured_queries if "cases_case" in q["sql"]] for run in (mistyped, unknown)]
    assert len(lookups[0]) == len(lookups[1]) == 1


def test_empty_fields_are_explained(db, client):
    page = look_up(client, "", "").content.decode()
    assert "Enter your reference number." in page and "Enter your email address." in page
