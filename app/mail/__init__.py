"""E-mail: a durable outbox, messages built from templates, and SMTP delivery."""
