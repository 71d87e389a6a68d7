"""Curriculum modules built from outcomes and variants.

models (tables), document (pure: a module's document checked; who may read or edit), actions,
queries, pages (HTML), export (files to download), cli (`werkplaats export`).
"""
