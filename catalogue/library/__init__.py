"""The library: the searchable shared outcomes.

access (who may read an outcome; region memberships), search (the index and full-text search),
pages (HTML, and the accounts page's region form), api (`/api/outcomes`).
"""
