"""Trends over time: per group, the goal ratings and the positioning chart's "now" and "desired"
positions session by session (and each member's own path, for that member only); per region,
the same by theme and quarter, only where consent allows and at least five people contributed
(docs/groups.md, "Trends"; docs/privacy.md).

- models.py: the table of observations; observe.py (pure): what a session's final state and
  harvest give; record.py: writing them when an outcome is saved.
- aggregate.py (pure): means and spreads per person, per session or quarter; who counts where.
- svg.py (pure): a line chart as SVG markup; views.py (pure): charts with their tables.
- queries.py: reading; pages.py: the group and region trend pages.
"""
