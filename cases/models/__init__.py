"""Support cases filed through the contact form, their conversation and the emails sent about them.

One aggregate, `Case`, in five modules: the case itself (`case`), its audit trail (`events`), its
conversation (`conversation`), its outbox (`outbox`) and the client's answer to "Did we resolve your
request?" (`satisfaction`); beside it, the staff's teams, away dates and choices of notifications
(`team`), what staff are told about cases (`notifications`) and the emails received (`inbound`).
"""

from .case import CHANGE_CASES, VIEW_CASES, VIEW_SERVICE_STANDARD, Case, CaseAccess, CaseNote, overdue
from .conversation import Attachment, CannedResponse, Message, attachment_path, attachment_storage
from .events import CaseEvent
from .inbound import InboundEmail
from .notifications import StaffNotification
from .outbox import MailboxCount, OutboundEmail
from .satisfaction import SatisfactionAnswer
from .team import StaffProfile, Team

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
    "InboundEmail",
    "MailboxCount",
    "Message",
    "OutboundEmail",
    "SatisfactionAnswer",
    "StaffProfile",
    "StaffNotification",
    "Team",
    "attachment_path",
    "attachment_storage",
    "overdue",
]
