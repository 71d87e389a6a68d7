"""Password reset by mail: ask with an email address, get a single-use link valid an hour, set a
new password (`actions`), and the pages that do it (`pages`). See docs/mail.md."""
