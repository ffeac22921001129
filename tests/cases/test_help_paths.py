"""What a case records of the way its client came (PathTaken), the one object case_submit takes."""

from types import SimpleNamespace

from cases.intake.help_paths import HelpPath, PathTaken
from helpdesk.models import ResponseClass, Topic

ANSWERS = [{"question": "Who are you?", "answer": "Importer"}]


def walked(topic_id, response_class=ResponseClass.STANDARD):
    """A help path to an outcome naming `topic_id` (or none), as named_help_path gives it."""
    outcome = SimpleNamespace(id=41, title="Error code EC-1012", topic_id=topic_id, response_class=response_class)
    return HelpPath(tree=SimpleNamespace(release_id=7), slugs=["importer"], snapshot=ANSWERS, outcome=outcome)


def test_a_help_path_names_its_topic_class_answers_outcome_and_release(db):
    topic, chosen = Topic.objects.get(slug="portal-access"), Topic.objects.get(slug="rm-account")
    taken = PathTaken.of_help_path(walked(topic.pk), chosen)
    assert taken.case_fields() == {
        "topic": topic,
        "response_class": ResponseClass.STANDARD,
        "path": ANSWERS,
        "outcome_id": 41,
        "outcome_title": "Error code EC-1012",
        "release_id": 7,
    }


def test_an_outcome_without_a_topic_takes_the_one_chosen_with_the_outcomes_class(db):
    chosen = Topic.objects.get(slug="portal-access")
    taken = PathTaken.of_help_path(walked(None, ResponseClass.FINANCIAL), chosen)
    assert (taken.topic, taken.response_class) == (chosen, ResponseClass.FINANCIAL)


def test_straight_to_the_form_the_topic_alone_sets_the_class(db):
    topic = Topic.objects.get(slug="rm-account")
    assert PathTaken.straight(topic).case_fields() == {
        "topic": topic,
        "response_class": topic.response_class,
        "path": [],
        "outcome_id": None,
        "outcome_title": "",
        "release_id": None,
    }


def test_a_follow_on_takes_the_way_its_earlier_case_came(make_case):
    case = make_case(path=ANSWERS, outcome_title="Error code EC-1012", response_class=ResponseClass.FINANCIAL)
    assert PathTaken.of_case(case) == PathTaken(
        topic=case.topic, response_class=ResponseClass.FINANCIAL, path=ANSWERS, outcome_title="Error code EC-1012"
    )
