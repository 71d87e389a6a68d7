"""Regions (Werkplaatsen) with their themes, the national themes, and the knowledge agenda.

models (tables), schema (typed validation of the regions' content), queries, actions (a
coordinator's edits), agenda (a region's open knowledge questions), pages (HTML), api
(`/api/regions`).
"""
