"""Every domain's models, imported once so metadata is complete (Alembic, tests)."""

from app.agents.models import Agent, AgentPresence, AgentSkill
from app.apitokens.models import ApiToken
from app.chat.models import Chat, Message
from app.db import Base
from app.files.models import Attachment
from app.idempotency.models import IdempotencyKey
from app.instance.models import InstanceSecret
from app.jobs.models import Job
from app.mail.models import Mail
from app.privacy.models import AuditEntry
from app.replies.models import SavedReply
from app.routing.models import Skill
from app.sites.models import Site
from app.surveys.models import Survey
from app.triggers.models import Invitation, Trigger, TriggerVisit
from app.visitors.models import PageView, Visitor, VisitorEvent
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agent",
    "AgentPresence",
    "AgentSkill",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "Base",
    "Chat",
    "IdempotencyKey",
    "InstanceSecret",
    "Invitation",
    "Job",
    "Mail",
    "Message",
    "PageView",
    "SavedReply",
    "Site",
    "Skill",
    "Survey",
    "Trigger",
    "TriggerVisit",
    "Visitor",
    "VisitorEvent",
    "WebhookDelivery",
    "WebhookEndpoint",
]
