"""Read a help-tool outline: questions, each followed by its bulleted choices."""

from dataclasses import dataclass, field

BULLET = "\u2022"


@dataclass(frozen=True)
class OutlineChoice:
    label: str
    question: "OutlineQuestion | None" = None


@dataclass(frozen=True)
class OutlineQuestion:
    text: str
    choices: tuple[OutlineChoice, ...] = ()


@dataclass
class Outline:
    title: str
    intro: str
    subjects: list[tuple[int, str]] = field(default_factory=list)
    root: OutlineQuestion | None = None

    def paths(self):
        """Every root-to-leaf path as a tuple of (question text, choice label)."""
        yield from _paths(self.root, ())


def _paths(question, prefix):
    for choice in question.choices:
        step = (*prefix, (question.text, choice.label))
        if choice.question is None:
            yield step
        else:
            yield from _paths(choice.question, step)


class OutlineError(ValueError):
    pass


@dataclass
class _Draft:
    """A mutable question or choice while its children are still being read."""

    indent: int
    text: str
    is_choice: bool
    children: list = field(default_factory=list)

    def freeze(self):
        if self.is_choice:
            child = self.children[0].freeze() if self.children else None
            return OutlineChoice(self.text, child)
        if not self.children:
            raise OutlineError(f"Question without choices: {self.text!r}")
        return OutlineQuestion(self.text, tuple(c.freeze() for c in self.children))


def parse_outline(text: str, first_question: str = "Please identify yourself") -> Outline:
    """Parse the outline: a choice shares its question's indent, a follow-up
    question is indented under the choice that leads to it."""
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in text.splitlines()]
    lines = [(indent, line) for indent, line in lines if line]
    title = lines[0][1]
    intro = lines[1][1]
    subjects, root, stack = [], None, []
    for indent, line in lines[2:]:
        if line == "Page details":
            break
        is_choice = line.startswith(BULLET)
        line = line.removeprefix(BULLET).strip()
        if root is None:
            if line == first_question and not is_choice:
                root = _Draft(indent, line, False)
                stack = [root]
            elif is_choice:
                subjects.append((indent, line))
            continue
        while stack and (
            stack[-1].indent > indent or (stack[-1].indent == indent and (stack[-1].is_choice or not is_choice))
        ):
            stack.pop()
        if not stack or stack[-1].is_choice == is_choice:
            raise OutlineError(f"Cannot place {line!r}: it does not follow a {'question' if is_choice else 'choice'}")
        parent = stack[-1]
        if not is_choice and parent.children:
            raise OutlineError(f"Choice {parent.text!r} has two follow-up questions")
        draft = _Draft(indent, line, is_choice)
        parent.children.append(draft)
        stack.append(draft)
    if root is None:
        raise OutlineError(f"No question {first_question!r} found")
    return Outline(title=title, intro=intro, subjects=subjects, root=root.freeze())
