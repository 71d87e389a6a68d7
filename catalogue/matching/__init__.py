"""Matching: "Welke werkvorm past?", pure, no I/O.

- request.py: a group's request, validated from raw input;
- rank.py: the ranking with its scores, the evidence it weighs and the reasons it gives;
- reasons.py: reasons as message ids with parameters, and as sentences.
"""
