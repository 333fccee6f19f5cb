"""REST: saved replies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.common.lists import SHORT_LIST_LIMIT, SHORT_LIST_MAX, Page, page_of
from app.replies import service
from app.replies.schemas import FilledReply, ReplyOut
from app.web.deps import CurrentAgent, CurrentPerson, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey
from app.web.schemas import DELETED

router = APIRouter(prefix="/api/v1", tags=["saved-replies"], responses=ERRORS)


class ReplyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "shortcut": "hours",
                    "title": "Opening hours",
                    "body": "We are here 9-17, {visitor.name}.",
                    "shared": True,
                }
            ]
        }
    )

    shortcut: str = Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    skill: str | None = Field(default=None, max_length=64)
    shared: bool = False
    # Suggested to visitors before the offline form (shared replies only).
    faq: bool = False


class ReplyUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Opening hours (winter)"}]})

    shortcut: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[\w-]+$")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=5000)
    skill: str | None = Field(default=None, max_length=64)
    faq: bool | None = None


class UseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_id": "2b7f6c1e0d9a4b8c9e1f2a3b4c5d6e7f"}]}
    )

    chat_id: str | None = None


@router.get("/saved-replies")
async def list_replies(
    agent: CurrentAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=SHORT_LIST_MAX)] = SHORT_LIST_LIMIT,
    cursor: str | None = None,
) -> Page[ReplyOut]:
    async with state.uow() as uow:
        replies = [ReplyOut.of(r) for r in await service.visible_to(uow, agent)]
    page, next_cursor = page_of(replies, limit, cursor, lambda r: r.id)
    return Page(items=page, next_cursor=next_cursor)


@router.post("/saved-replies", status_code=201)
async def create_reply(
    body: ReplyIn, agent: CurrentPerson, state: StateDep, idempotency: IdempotencyKey
) -> ReplyOut:
    async with state.uow() as uow:
        return ReplyOut.of(await service.create(uow, agent, body.model_dump()))


# Fields a saved reply always has: a PATCH's null does not clear them.
_REQUIRED = frozenset({"shortcut", "title", "body", "faq"})


@router.patch("/saved-replies/{reply_id}")
async def update_reply(
    reply_id: str, body: ReplyUpdate, agent: CurrentAgent, state: StateDep
) -> ReplyOut:
    async with state.uow() as uow:
        reply = await service.editable(uow, agent, reply_id)
        service.check_faq(reply.owner_id is None, bool(body.faq))
        for field, value in body.model_dump(exclude_unset=True).items():
            if value is None and field in _REQUIRED:
                continue  # null leaves a field every reply has as it is (only skill may be none)
            setattr(reply, field, value)
        await uow.session.flush()
        return ReplyOut.of(reply)


@router.delete("/saved-replies/{reply_id}", status_code=204, responses=DELETED)
async def delete_reply(reply_id: str, agent: CurrentAgent, state: StateDep) -> None:
    async with state.uow() as uow:
        await uow.session.delete(await service.editable(uow, agent, reply_id))


@router.post("/saved-replies/{reply_id}/use")
async def use_reply(
    reply_id: str, body: UseIn, agent: CurrentPerson, state: StateDep
) -> FilledReply:
    """The text to insert into the composer, placeholders filled for the chat."""
    async with state.uow() as uow:
        return FilledReply(body=await service.use(uow, agent, reply_id, body.chat_id))
