"""Every email to a client carries a Reply-To naming its case with a signed tag: the tag finds the case
in any letter case, cannot be made for another case, and is voided with the case's links."""

import pytest

from cases.conversation.services import case_revoke_links
from cases.inbound.addresses import reply_address, tagged_case
from cases.models import Case
from cases.outbox.emails import acknowledgment_message, merged_message

INBOUND = "support@support.example.ca"


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_EMAIL_ADDRESS = INBOUND


def test_the_acknowledgment_has_a_reply_to_naming_its_case(make_case):
    case = make_case()
    (address,) = acknowledgment_message(case).reply_to
    local, _at, domain = address.partition("@")
    assert domain == "support.example.ca" and local.startswith(f"support+{case.reference.lower()}-")
    assert tagged_case([address]) == case
    assert tagged_case([address.upper()]) == case  # as a mail server may write it


def test_a_tag_cannot_be_made_for_another_case(make_case):
    case, other = make_case(), make_case()
    address = reply_address(case)
    forged = address.replace(case.reference.lower(), other.reference.lower())
    assert tagged_case([forged]) is None
    assert tagged_case([address.replace("@support.example.ca", "@example.org")]) is None
    assert tagged_case(["support@support.example.ca", "ann@example.org", "not an address"]) is None


def test_revoking_the_links_voids_the_tag(make_case, reviewer):
    case = make_case()
    old = reply_address(case)
    case_revoke_links(case, actor=reviewer)
    case.refresh_from_db()
    assert tagged_case([old]) is None
    assert tagged_case([reply_address(case)]) == case


def test_an_anonymised_case_has_no_tag(make_case):
    case = make_case()
    old = reply_address(case)
    Case.objects.filter(pk=case.pk).update(conversation_key="")
    case.refresh_from_db()
    assert reply_address(case) is None and tagged_case([old]) is None


def test_a_merged_case_notice_answers_to_the_case_that_continues(make_case):
    from cases.merging import case_merge

    merged, survivor = make_case(), make_case()
    case_merge(merged, into=survivor, actor=None)
    merged.refresh_from_db()
    assert merged_message(merged).reply_to == [reply_address(survivor)]


def test_without_an_inbound_address_no_reply_to(make_case, settings):
    settings.INBOUND_EMAIL_ADDRESS = ""
    case = make_case()
    assert acknowledgment_message(case).reply_to == [] and reply_address(case) is None
