from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.enums import ChatStatus
from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base

OPEN_STATUSES = (ChatStatus.QUEUED, ChatStatus.OFFERED, ChatStatus.ACTIVE)


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = (
        Index("ix_chats_site_status_created", "site_id", "status", "created_at"),
        Index("ix_chats_visitor_status", "visitor_id", "status"),
        # The window's chats with what a KPI report reads of each (covering: no table lookup
        # per chat); the prefix serves every query by site and start.
        Index(
            "ix_chats_site_created",
            "site_id",
            "created_at",
            "agent_id",
            "skill",
            "status",
            "first_visitor_message_at",
            "first_response_at",
            "first_assigned_at",
            "closed_at",
            "offline_at",
            "id",
        ),
        # Chats still handled after a window's start (utilisation, concurrency).
        Index("ix_chats_site_closed", "site_id", "closed_at", "created_at"),
        # Chats answered in a span, with whose they are (KPIs: conversion, assisted orders).
        # Covering, so the window's answered visitors are read from the index alone; written
        # once per chat beyond its insert, when the first answer is set.
        Index("ix_chats_site_answered", "site_id", "first_response_at", "visitor_id", "id"),
        # A visitor's answers by time: the assist window's EXISTS per order, index-only.
        Index("ix_chats_visitor_answered", "visitor_id", "first_response_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ChatStatus.QUEUED)
    skill: Mapped[str | None] = mapped_column(String(64), default=None)
    pre_chat: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Counters of the last message number handed out: all kinds, and public messages only
    # (what a visitor sees). Incremented under the chat row's write lock.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_public_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Chats handed back by an agent who dropped wait ahead of new arrivals (higher first).
    priority: Mapped[int] = mapped_column(Integer, default=0)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Agents who let an offer of this chat time out: skipped while anyone else can take it.
    passed_over: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the visitor was last told about the queue, so they are told again only on change.
    queue_position: Mapped[int | None] = mapped_column(Integer, default=None)
    queue_eta_s: Mapped[int | None] = mapped_column(Integer, default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # For the KPIs: when the visitor first wrote (first response time counts from here) and
    # when an agent first took the chat (the queue wait ends here; assigned_at moves on transfer).
    first_visitor_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    first_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # For "waiting for an answer since": the last public message of each side.
    last_visitor_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_agent_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(16), default=None)
    # Started while the site was unavailable (an offline message); kept when it is closed, so
    # the KPIs still count it as offline. How far the mails about it have gone (by ``seq``):
    # the visitor's messages to the shop's notify addresses, the agents' answers to the visitor.
    offline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    offline_notified_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    offline_replied_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "seq", name="uq_messages_chat_seq"),
        UniqueConstraint("chat_id", "public_seq", name="uq_messages_chat_public_seq"),
        UniqueConstraint(
            "chat_id", "author_type", "author_id", "client_msg_id", name="uq_messages_client_msg"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    public_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(16), default="public")
    author_type: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str | None] = mapped_column(String(32), default=None)
    author_name: Mapped[str | None] = mapped_column(String(200), default=None)
    author_avatar_url: Mapped[str | None] = mapped_column(String(500), default=None)
    body: Mapped[str] = mapped_column(Text)
    client_msg_id: Mapped[str | None] = mapped_column(String(64), default=None)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
