"""Help trees (`tree`), their releases (`release`) and how clients use them (`usage`)."""

from .release import Release
from .tree import PUBLISHED, VIEW_TREES, Choice, Node, Tree, TreeQuerySet, new_revision
from .usage import OutcomeFeedback, StepCount

__all__ = [
    "PUBLISHED",
    "VIEW_TREES",
    "Choice",
    "Node",
    "OutcomeFeedback",
    "Release",
    "StepCount",
    "Tree",
    "TreeQuerySet",
    "new_revision",
]
