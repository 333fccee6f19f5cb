"""Signed webhooks: a durable outbox written with each event, sent and retried by every process."""
