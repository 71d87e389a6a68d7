"""Evidence: what the goal ratings of earlier sessions say about a variant and a goal.

summary (pure: sessions' ratings to `Evidence` with a level), queries (the ratings from the
outcome tables).
"""
