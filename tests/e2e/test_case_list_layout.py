"""The staff's case list at 1280 pixels: every column a reviewer needs, and no scrolling sideways."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case
from tests.conftest import make_staff, sign_in_staff
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = [
    "Reference",
    "Received",
    "Topic",
    "Status",
    "Next reply due",
    "Overdue",
    "Assigned to",
    "Language of the request",
]


def signed_in(page, site, user):
    """The browser signed in as `user`, through the session the test client opened (password and code)."""
    client = sign_in_staff(Client(), user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])


@pytest.fixture
def busy_list(make_case):
    """Cases with the longest topic, status and assignee name, some of them overdue."""
    reviewer = make_staff("reviewer", "Case reviewers", first_name="Marie-Claude", last_name="Beauchemin-Tremblay")
    long_ago = timezone.now() - timedelta(days=40)
    for number in range(6):
        case = make_case(topic="rm-account", received_at=long_ago if number % 2 else None)
        Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_ON_CLIENT, assigned_to=reviewer)
    return reviewer


@pytest.mark.parametrize("browser_locale", ["en-CA", "fr-CA"])
@pytest.mark.parametrize("path", ["/admin/cases/case/", "/admin/cases/case/workload/"])
def test_case_list_fits_1280_pixels(site, page, busy_list, browser_locale, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    signed_in(page, site, busy_list)
    page.goto(f"{site}{path}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = "case-list" if path.endswith("/case/") else "workload"
    page.screenshot(path=SCREENSHOTS / f"layout--{name}--{browser_locale}--1280.png", full_page=True)
    if name == "case-list":
        if browser_locale == "en-CA":
            headings = page.locator("#result_list thead th").all_text_contents()
            assert [text.strip() for text in headings[1:]] == COLUMNS
        table = page.locator("#result_list").bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= 1280
        assert page.locator("#result_list .case-overdue").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
