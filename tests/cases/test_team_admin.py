"""Teams in the admin (a topic in one team at most, leads among the members, exactly one default team)
and each member of staff's own away dates and email language."""

from datetime import date
from html import unescape

from django.urls import reverse
from django.utils import translation

from cases.models import StaffProfile, Team
from helpdesk.models import Topic
from tests.conftest import make_staff, sign_in_staff

TEAMS = reverse("admin:cases_team_changelist")
ADD_TEAM = reverse("admin:cases_team_add")
PROFILES = reverse("admin:cases_staffprofile_changelist")
MY_PROFILE = reverse("admin:cases_staffprofile_mine")


def team_data(name, topics=(), members=(), leads=(), **fields):
    return {
        "name_en": name,
        "name_fr": f"FR {name}",
        "topics": [Topic.objects.get(slug=slug).pk for slug in topics],
        "members": [user.pk for user in members],
        "leads": [user.pk for user in leads],
        **{key: "on" for key, value in fields.items() if value},
    }


def test_a_topic_belongs_to_one_team_at_most(admin_client):
    response = admin_client.post(ADD_TEAM, team_data("Payments", topics=["rm-account", "cad"]))
    assert response.status_code == 302
    payments = Team.objects.get(name_en="Payments")
    response = admin_client.post(ADD_TEAM, team_data("Trade", topics=["cad", "rm-account", "other"]))
    page = unescape(response.content.decode())
    assert response.status_code == 200 and not Team.objects.filter(name_en="Trade").exists()
    assert "“The Commercial Accounting Declaration (CAD)” belongs to the team “Payments” already." in page
    assert "“Your import-export program (RM) account" in page
    # The same topics on the team's own page are no problem.
    change = reverse("admin:cases_team_change", args=[payments.pk])
    assert admin_client.post(change, team_data("Payments", topics=["rm-account", "cad", "other"])).status_code == 302
    assert set(payments.topics.values_list("slug", flat=True)) == {"rm-account", "cad", "other"}
    with translation.override("fr"):
        response = admin_client.post(ADD_TEAM, team_data("Trade", topics=["cad"]), headers={"accept-language": "fr"})
    assert (
        "«\u00a0Déclaration en détail commerciale (DDC)\u00a0» appartient déjà à l'équipe «\u00a0FR Payments\u00a0»"
        in (unescape(response.content.decode()))
    )


def test_leads_are_members(admin_client):
    ann, bob = make_staff("ann"), make_staff("bob")
    admin_client.post(ADD_TEAM, team_data("Payments", members=[ann], leads=[bob]))
    payments = Team.objects.get(name_en="Payments")
    assert set(payments.members.all()) == {ann, bob} and list(payments.leads.all()) == [bob]


def test_exactly_one_team_is_the_default(admin_client):
    helpdesk = Team.objects.get(is_default=True)
    # Untick it: refused, saying how to change the default.
    response = admin_client.post(reverse("admin:cases_team_change", args=[helpdesk.pk]), team_data("Helpdesk"))
    assert "Exactly one team is the default: to change it, make another team the default." in response.content.decode()
    assert Team.objects.get(pk=helpdesk.pk).is_default
    # Make another the default: it takes over.
    assert admin_client.post(ADD_TEAM, team_data("General", is_default=True)).status_code == 302
    assert list(Team.objects.filter(is_default=True).values_list("name_en", flat=True)) == ["General"]
    # The default team cannot be deleted, nor teams several at once; another can, on its own.
    general = Team.objects.get(name_en="General")
    admin_client.post(TEAMS, {"action": "delete_selected", "_selected_action": [general.pk], "post": "yes"})
    assert Team.objects.filter(pk=general.pk).exists()
    assert admin_client.get(reverse("admin:cases_team_delete", args=[general.pk])).status_code == 403
    assert admin_client.post(reverse("admin:cases_team_delete", args=[helpdesk.pk]), {"post": "yes"}).status_code == 302
    assert not Team.objects.filter(pk=helpdesk.pk).exists()


def test_reviewers_view_teams_and_change_none(reviewer_client):
    helpdesk = Team.objects.get(is_default=True)
    page = reviewer_client.get(TEAMS).content.decode()
    assert "Helpdesk" in page and "The topics no other team owns" in page
    change = reverse("admin:cases_team_change", args=[helpdesk.pk])
    assert reviewer_client.get(change).status_code == 200
    assert reviewer_client.post(change, team_data("Mine", is_default=True)).status_code == 403
    assert reviewer_client.get(ADD_TEAM).status_code == 403


def test_the_teams_list_in_french(admin_client):
    page = admin_client.get(TEAMS, headers={"accept-language": "fr"}).content.decode()
    assert "Service d&#x27;assistance" in page and "Équipes" in unescape(page)


# Away dates and email language.


def test_staff_set_their_own_away_dates_and_email_language(reviewer, reviewer_client):
    response = reviewer_client.get(PROFILES)
    profile = StaffProfile.objects.get(user=reviewer)
    change = reverse("admin:cases_staffprofile_change", args=[profile.pk])
    assert response.status_code == 302 and response["Location"] == change
    assert reviewer_client.get(MY_PROFILE)["Location"] == change
    page = reviewer_client.get(change).content.decode()
    assert 'type="date" name="away_from"' in page and 'name="language"' in page
    choices = dict.fromkeys(StaffProfile.notify_fields(), "at_once")
    form = {"away_from": "2026-12-21", "away_until": "2027-01-04", "language": "fr", **choices}
    response = reviewer_client.post(change, {**form, "notify_new_case": "never"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.away_from, profile.away_until, profile.language) == (date(2026, 12, 21), date(2027, 1, 4), "fr")
    assert (profile.notify_new_case, profile.notify_assigned) == ("never", "at_once")


def test_the_last_day_away_cannot_come_before_the_first(reviewer, reviewer_client):
    profile = StaffProfile.objects.create(user=reviewer)
    change = reverse("admin:cases_staffprofile_change", args=[profile.pk])
    response = reviewer_client.post(change, {"away_from": "2026-12-21", "away_until": "2026-12-20", "language": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "The last day away cannot come before the first." in page
    assert 'value="2026-12-21"' in page and 'value="2026-12-20"' in page
    assert StaffProfile.objects.get(pk=profile.pk).away_from is None


def test_staff_see_and_change_no_one_elses_profile(reviewer_client, client):
    other = StaffProfile.objects.create(user=make_staff("ann", "Case reviewers"), away_from=date(2026, 12, 1))
    change = reverse("admin:cases_staffprofile_change", args=[other.pk])
    assert reviewer_client.get(change).status_code == 302  # "does not exist": not among the reviewer's
    reviewer_client.post(change, {"away_from": "", "away_until": "", "language": ""})
    assert StaffProfile.objects.get(pk=other.pk).away_from == date(2026, 12, 1)


def test_whoever_manages_profiles_sees_everyones(admin_client):
    StaffProfile.objects.create(user=make_staff("ann"), away_from=date(2026, 12, 1))
    page = admin_client.get(PROFILES).content.decode()
    assert "ann" in page and "Dec. 1, 2026" in page


def test_staff_profiles_are_on_the_index_of_any_staff_member(db, client):
    clerk = make_staff("clerk")
    page = sign_in_staff(client, clerk).get(reverse("admin:index")).content.decode()
    assert f'href="{PROFILES}"' in page
