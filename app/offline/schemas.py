"""Offline messages and FAQ suggestions on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.common.wire import ClientFrame, ServerFrame, WireModel


class ChatOffline(ServerFrame):
    audience_note = "the visitor"
    type: Literal["chat.offline"] = "chat.offline"
    chat_id: str = Field(description="the site is unavailable: the chat is an offline message")


class FaqSearch(ClientFrame):
    """What the visitor has typed so far, for FAQ suggestions before the offline form."""

    type: Literal["faq.search"]
    q: str = Field(max_length=1000)


class FaqSuggestion(WireModel):
    id: str
    title: str
    body: str


class FaqSuggestions(ServerFrame):
    audience_note = "the visitor who sent faq.search"
    type: Literal["faq.suggestions"] = "faq.suggestions"
    q: str = Field(description="the faq.search this answers")
    items: list[FaqSuggestion] = Field(description="at most 3, best first")
