"""Support cases filed through the contact form, their conversation and the emails sent about them.

One aggregate, `Case`, in five modules: the case itself (`case`), its audit trail (`events`), its
conversation (`conversation`), its outbox (`outbox`) and the client's answer to "Did we resolve your
request?" (`satisfaction`); beside it, the staff's teams and away dates (`team`) and the warnings
sent to staff about reply targets (`warnings`).
"""

from .case import CHANGE_CASES, VIEW_CASES, VIEW_SERVICE_STANDARD, Case, CaseAccess, CaseNote, overdue
from .conversation import Attachment, CannedResponse, Message, attachment_path, attachment_storage
from .events import CaseEvent
from .outbox import MailboxCount, OutboundEmail
from .satisfaction import SatisfactionAnswer
from .team import StaffProfile, Team
from .warnings import StaffWarning

__all__ = [
    "CHANGE_CASES",
    "VIEW_CASES",
    "VIEW_SERVICE_STANDARD",
    "Attachment",
    "CannedResponse",
    "Case",
    "CaseAccess",
    "CaseEvent",
    "CaseNote",
    "MailboxCount",
    "Message",
    "OutboundEmail",
    "SatisfactionAnswer",
    "StaffProfile",
    "StaffWarning",
    "Team",
    "attachment_path",
    "attachment_storage",
    "overdue",
]
