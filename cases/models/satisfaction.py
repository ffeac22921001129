"""The client's answer to "Did we resolve your request?", asked in the email that resolved the case."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case

# The longest comment a client may add to a "No".
COMMENT_MAX_LENGTH = 1000


class SatisfactionAnswer(models.Model):
    """One case's answer: the last one the client gave counts, so there is one row a case.

    The comment is the client's own words, so it is personal data: anonymisation blanks it and it is
    never logged. The answer and its time stay, for the service-standard report.
    """

    class Answer(models.TextChoices):
        YES = "yes", _("Yes: the request was resolved")
        NO = "no", _("No: the request was not resolved")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    answer = models.CharField(_("answer"), max_length=3, choices=Answer.choices)
    comment = models.TextField(_("client's comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    # The language of the page the client answered on, that of the comment.
    language = models.CharField(_("language"), max_length=2, choices=Case.Language.choices)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("answer to “Did we resolve your request?”")
        verbose_name_plural = _("answers to “Did we resolve your request?”")
        indexes = [models.Index(fields=["answered_at"])]

    def __str__(self):
        return f"{self.case} {self.answer}"

    @property
    def resolved(self) -> bool:
        return self.answer == self.Answer.YES
