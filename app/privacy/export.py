"""Everything held about one visitor, as one JSON document (a data subject's access request).

It reads what ``service.erase_visitor`` deletes, so the two stay each other's mirror: a kind of
row added to one belongs in the other.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select

from app.chat.models import Chat, Message
from app.common.types import iso, utcnow
from app.common.uow import UnitOfWork
from app.files.models import Attachment
from app.mail.models import Mail
from app.privacy.schemas import (
    ExportedAttachment,
    ExportedChat,
    ExportedEvent,
    ExportedInvitation,
    ExportedMail,
    ExportedMessage,
    ExportedPageView,
    ExportedSurvey,
    ExportedVisitor,
    VisitorExport,
)
from app.surveys.models import Survey
from app.triggers.models import Invitation
from app.visitors.models import PageView, Visitor, VisitorEvent


async def export_visitor(uow: UnitOfWork, visitor: Visitor) -> VisitorExport:
    s = uow.session
    chats = list(
        (
            await s.scalars(
                select(Chat).where(Chat.visitor_id == visitor.id).order_by(Chat.created_at)
            )
        ).all()
    )
    chat_ids = [c.id for c in chats]
    messages: dict[str, list[ExportedMessage]] = {c: [] for c in chat_ids}
    surveys: dict[str, ExportedSurvey] = {}
    if chat_ids:
        for m in await s.scalars(
            select(Message).where(Message.chat_id.in_(chat_ids)).order_by(Message.seq)
        ):
            messages[m.chat_id].append(ExportedMessage.model_validate(m))
        for sv in await s.scalars(select(Survey).where(Survey.chat_id.in_(chat_ids))):
            surveys[sv.chat_id] = ExportedSurvey.model_validate(sv)
    uploads = await s.scalars(
        select(Attachment)
        .where(
            or_(
                Attachment.chat_id.in_(chat_ids),
                (Attachment.uploader_type == "visitor") & (Attachment.uploader_id == visitor.id),
            )
        )
        .order_by(Attachment.created_at)
    )
    views = await s.scalars(
        select(PageView).where(PageView.visitor_id == visitor.id).order_by(PageView.id)
    )
    events = await s.scalars(
        select(VisitorEvent).where(VisitorEvent.visitor_id == visitor.id).order_by(VisitorEvent.id)
    )
    invitations = await s.scalars(
        select(Invitation).where(Invitation.visitor_id == visitor.id).order_by(Invitation.fired_at)
    )
    about: ColumnElement[bool] = Mail.chat_id.in_(chat_ids)
    if visitor.email:
        about = or_(about, func.lower(Mail.to_addr) == visitor.email.lower())
    mails = await s.scalars(
        select(Mail).where(Mail.site_id == visitor.site_id, about).order_by(Mail.created_at)
    )
    return VisitorExport(
        exported_at=iso(utcnow()) or "",
        visitor=ExportedVisitor.model_validate(visitor),
        chats=[
            ExportedChat(
                id=c.id,
                status=c.status,
                skill=c.skill,
                agent_id=c.agent_id,
                pre_chat=c.pre_chat,
                created_at=iso(c.created_at),
                closed_at=iso(c.closed_at),
                messages=messages[c.id],
                survey=surveys.get(c.id),
            )
            for c in chats
        ],
        page_views=[ExportedPageView.model_validate(v) for v in views],
        events=[ExportedEvent.model_validate(e) for e in events],
        invitations=[ExportedInvitation.model_validate(i) for i in invitations],
        uploads=[ExportedAttachment.model_validate(a) for a in uploads],
        mails=[ExportedMail.model_validate(m) for m in mails],
    )
