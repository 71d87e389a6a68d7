"""Variants: the goals and the learning-practice variants with their versions.

models (tables), schema (typed validation of a variant's content), queries, actions (a
coordinator's edits; catalogue/seed.py seeds), pages (the catalogue's HTML pages), api (JSON),
search (the catalogue page's filters), forms (the edit form).
"""
