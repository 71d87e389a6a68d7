"""Merge translations from a JSON file into the Dutch catalog (a maintainer's helper).

Usage: .venv/bin/python scripts/fill_translations.py translations.json
The JSON maps a message id to its Dutch text; a plural message is keyed "singular||plural"
and maps to a list of forms. Prints the message ids that still lack a translation.
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "server/locale/nl/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    translations = json.load(open(path, encoding="utf-8"))
    with open(PO, "rb") as file:
        catalog = read_po(file, locale="nl")
    catalog.project = "Werkplaats"
    catalog.copyright_holder = "Werkplaats contributors"
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = "||".join(message.id) if isinstance(message.id, tuple) else message.id
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(key)
    with open(PO, "wb") as file:
        write_po(file, catalog, sort_output=True, width=100, include_lineno=False)
    print("\n".join(missing) or "every message is translated")


if __name__ == "__main__":
    main(sys.argv[1])
