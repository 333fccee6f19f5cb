"""Requests that arrive while one batch is being written wait together for the next one.

The shape of group commit (app/chat/batch.py for messages, app/chat/visitor_sockets.py for
visitor sockets, app/chat/resumes.py for what resumes read): under load one transaction serves
many requests, and alone a request costs what it would have cost by itself. Each caller gets
its own answer, set by ``write``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Request = TypeVar("Request")
Answer = TypeVar("Answer")


class Batches(Generic[Request, Answer]):
    """One writer task at a time takes up to ``max_batch`` waiting requests to ``write``, which
    answers each future (a result or an exception); cancelled, it cancels the batch's futures,
    so no caller is left waiting."""

    def __init__(
        self,
        write: Callable[[list[tuple[Request, asyncio.Future[Answer]]]], Awaitable[None]],
        max_batch: int,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[Request, asyncio.Future[Answer]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Answer:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                await self._write(batch)
            except BaseException:  # cancelled (shutdown): never leave a caller waiting
                for _, future in batch:
                    future.cancel()
                raise
