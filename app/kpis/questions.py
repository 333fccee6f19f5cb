"""Top questions: the visitors' first messages grouped by similarity, so a shop sees which
questions keep coming back and can answer them on its pages instead.

TF-IDF over character n-grams (3 to 5 letters within words: robust to typos, inflection and the
compound words of Danish, Swedish, Dutch and German, with no language's word lists), then
average-linkage agglomerative clustering on cosine distance (scikit-learn). Each group is
labelled with its most central question, in the words a visitor used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.models import Chat, Message
from app.kpis.schemas import Question, QuestionExample, TopQuestions

# The newest first messages of the window that are clustered: the distance matrix is n².
SAMPLE = 1500
# Two questions farther apart than this (1 - cosine similarity) are not the same question.
DISTANCE = 0.7
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class FirstMessage:
    chat_id: str
    text: str


async def first_messages(
    session: AsyncSession, site_id: str, start: datetime, end: datetime
) -> list[FirstMessage]:
    """Each chat's first public visitor message, newest chats first, at most SAMPLE."""
    rows = await session.execute(
        select(Message.chat_id, Message.body)
        .join(Chat, Chat.id == Message.chat_id)
        .where(
            Chat.site_id == site_id,
            Chat.created_at >= start,
            Chat.created_at < end,
            Message.author_type == "visitor",
            Message.kind == "public",
            Message.created_at == Chat.first_visitor_message_at,
        )
        .order_by(Chat.created_at.desc())
        .limit(SAMPLE * 2)
    )
    seen: dict[str, FirstMessage] = {}
    for chat_id, body in rows:
        if chat_id not in seen and body.strip():
            seen[chat_id] = FirstMessage(chat_id, body.strip())
    return list(seen.values())[:SAMPLE]


def group(messages: list[FirstMessage], limit: int) -> list[Question]:
    if not messages:
        return []
    if len(messages) == 1:
        only = messages[0]
        return [Question(label=only.text, count=1, examples=[_example(only)])]
    # Imported here: scikit-learn takes about a second to load, which a server should not pay
    # at every start for a report most processes never compute.
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
    ).fit_transform([m.text for m in messages])
    # Rows are L2-normalised, so their products are cosine similarities.
    similarity: Any = (vectors @ vectors.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=DISTANCE
    ).fit_predict(distance)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[int(label)].append(index)
    ranked = sorted(members.values(), key=lambda idx: (-len(idx), idx[0]))[:limit]
    questions = []
    for idx in ranked:
        # The most central question: the highest mean similarity to the rest of its group.
        centre = max(idx, key=lambda i: float(similarity[i, idx].mean()))
        order = sorted(idx, key=lambda i: -float(similarity[centre, i]))
        questions.append(
            Question(
                label=messages[centre].text[:200],
                count=len(idx),
                examples=[_example(messages[i]) for i in order[:EXAMPLES]],
            )
        )
    return questions


def _example(message: FirstMessage) -> QuestionExample:
    return QuestionExample(chat_id=message.chat_id, text=message.text[:500])


async def top_questions(
    session: AsyncSession, site_id: str, start: datetime, end: datetime, limit: int
) -> TopQuestions:
    messages = await first_messages(session, site_id, start, end)
    return TopQuestions(sampled=len(messages), questions=group(messages, limit))
