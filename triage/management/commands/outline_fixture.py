"""Build a help-tree fixture from an outline and a file of guidance for its outcomes."""

import json
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from helpdesk.models import ResponseClass
from triage.outline import OutlineError, parse_outline
from triage.slugs import french_slug


class Command(BaseCommand):
    help = (
        "Write a loaddata fixture for a help tree (published by load_trees), in English and French: questions and "
        "choices from the outline, word for word, and their French; identical sub-trees stored once; "
        "outcomes from the guidance file."
    )

    def add_arguments(self, parser):
        parser.add_argument("outline", type=Path, help="The outline text, one question or bulleted choice a line.")
        parser.add_argument("guidance", type=Path, help="TOML: [tree] and one table per outcome, in both languages.")
        parser.add_argument("french", type=Path, help="TOML: the French of each text of the outline.")
        parser.add_argument("output", type=Path, help="Where to write the JSON fixture.")

    def handle(self, *, outline, guidance, french, output, **options):
        try:
            parsed = parse_outline(outline.read_text(encoding="utf-8"))
        except OutlineError as error:
            raise CommandError(f"{outline}: {error}") from error
        spec = tomllib.loads(guidance.read_text(encoding="utf-8"))
        builder = FixtureBuilder(parsed, spec, OutlineFrench(tomllib.loads(french.read_text(encoding="utf-8"))))
        records = builder.records()
        output.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(
            f"Wrote {output}: {builder.question_count} questions, {builder.outcome_count} outcomes, "
            f"{len(list(parsed.paths()))} paths."
        )


class OutlineFrench:
    """The French of the outline's texts, from a table of English text → French."""

    def __init__(self, table):
        self.table = table

    def __call__(self, section, english):
        french = self.table.get(section, {}).get(english, "") if section else self.table.get(english, "")
        if not french.strip():
            raise CommandError(f"No French for {english!r}" + (f" in [{section}]" if section else ""))
        return french


class FixtureBuilder:
    """Numbers each distinct question and outcome once, in the order the outline first reaches them."""

    def __init__(self, outline, spec, french):
        self.outline = outline
        self.french = french
        self.tree = spec["tree"]
        self.outcome_specs = spec["outcomes"]
        self.node_pks = {}
        self.node_records = []
        self.choice_records = []
        self.used_outcomes = set()
        self.question_count = self.outcome_count = 0
        self.question_texts = {}

    def records(self):
        self._count_question_texts(self.outline.root, set())
        start = self._question(self.outline.root, ())
        unused = {(q, label) for q, outcomes in self.outcome_specs.items() for label in outcomes} - self.used_outcomes
        if unused:
            raise CommandError(f"Guidance given for outcomes the outline does not have: {sorted(unused)}")
        # Foreign keys are checked at commit, so the tree can name its start before it is loaded.
        tree = {
            "model": "triage.tree",
            "pk": self.tree["pk"],
            "fields": {
                "title_en": self.outline.title,
                "title_fr": self.french(None, "title"),
                "slug": self.tree["slug"],
                "slug_fr": self.tree["slug_fr"],
                "intro_en": self._intro_en(),
                "intro_fr": self._intro_fr(),
                "start": start,
            },
        }
        return [tree, *self.node_records, *self.choice_records]

    def _intro_en(self):
        return self._intro(self.outline.intro, self.tree["subjects_heading"], lambda subject: subject)

    def _intro_fr(self):
        return self._intro(
            self.french(None, "intro"),
            self.tree["subjects_heading_fr"],
            lambda subject: self.french("subjects", subject),
        )

    def _intro(self, intro, heading, subject_text):
        subjects = "\n".join(
            f"{' ' * (indent - 2)}- {subject_text(subject)}" for indent, subject in self.outline.subjects
        )
        return f"{intro}\n\n{heading}\n\n{subjects}\n"

    def _count_question_texts(self, question, seen):
        if question in seen:
            return
        seen.add(question)
        self.question_texts[question.text] = self.question_texts.get(question.text, 0) + 1
        for choice in question.choices:
            if choice.question:
                self._count_question_texts(choice.question, seen)

    def _question(self, question, path):
        if question in self.node_pks:
            return self.node_pks[question]
        pk = self.node_pks[question] = len(self.node_pks) + 1
        self.question_count += 1
        name = question.text
        if self.question_texts[question.text] > 1:
            name = f"{question.text} [{' › '.join(path)}]"
        self.node_records.append(
            {
                "model": "triage.node",
                "pk": pk,
                "fields": {
                    "tree": self.tree["pk"],
                    "kind": "question",
                    "name": name,
                    "text_en": question.text,
                    "text_fr": self.french("questions", question.text),
                },
            }
        )
        slugs, slugs_fr = set(), set()
        for position, choice in enumerate(question.choices, start=1):
            slug = slugify(choice.label)[:60].strip("-")
            if slug in slugs:
                raise CommandError(f"Two choices of {question.text!r} have the slug {slug!r}")
            slugs.add(slug)
            label_fr = self.french("labels", choice.label)
            slug_fr = french_slug(label_fr, slugs_fr, fallback=slug)
            slugs_fr.add(slug_fr)
            if choice.question is None:
                target = self._outcome(question.text, choice.label)
            else:
                target = self._question(choice.question, (*path, choice.label))
            self.choice_records.append(
                {
                    "model": "triage.choice",
                    "pk": len(self.choice_records) + 1,
                    "fields": {
                        "question": pk,
                        "label_en": choice.label,
                        "label_fr": label_fr,
                        "slug": slug,
                        "slug_fr": slug_fr,
                        "position": position,
                        "target": target,
                    },
                }
            )
        return pk

    def _outcome(self, question_text, label):
        """One outcome per answer to a question's text, however many variants the question has."""
        key = ("outcome", question_text, label)
        if key in self.node_pks:
            return self.node_pks[key]
        try:
            spec = self.outcome_specs[question_text][label]
        except KeyError:
            raise CommandError(f"No guidance for the answer {label!r} to {question_text!r}") from None
        missing = [key for key in ("title", "title_fr", "guidance", "guidance_fr") if not spec.get(key, "").strip()]
        if missing:
            raise CommandError(f"The outcome of {label!r} to {question_text!r} has no {', '.join(missing)}")
        self.used_outcomes.add((question_text, label))
        pk = self.node_pks[key] = len(self.node_pks) + 1
        self.outcome_count += 1
        self.node_records.append(
            {
                "model": "triage.node",
                "pk": pk,
                "fields": {
                    "tree": self.tree["pk"],
                    "kind": "outcome",
                    "name": spec["title"],
                    "title_en": spec["title"],
                    "title_fr": spec["title_fr"],
                    "guidance_en": spec["guidance"].strip(),
                    "guidance_fr": spec["guidance_fr"].strip(),
                    "contact_allowed": spec.get("contact_allowed", True),
                    "topic": [spec["topic"]],
                    "response_class": spec.get("response_class", ResponseClass.STANDARD),
                },
            }
        )
        return pk
