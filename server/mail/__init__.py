"""E-mail: messages rendered from templates, queued in the database with the change that causes
them (`outbox.queue`), and sent over SMTP by a background task with retries (`sender`).

See docs/mail.md."""
