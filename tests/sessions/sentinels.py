"""The sentinel texts of the sharing gate's test: names and identifying texts said in a session."""

from __future__ import annotations

import httpx

from tests.identifying_texts import SENTENCES, identifying

TITLE = "Casus van Joost Wiegersma"
PEOPLE = {
    "joost": "Joost Wiegersma",
    "zeynep": "Zeynep Oudejans-Kraaijeveld",
    "anneke": "Anneke Bosma",
}
SECOND_TITLE = "Vervolgoverleg met Pieter Zandbergen"
SECOND_PERSON = "Pieter Zandbergen"
EDUCATOR = ("erik@example.org", "Erik Educator")
NAME_LINK = "https://example.org/verslagen/zeynep-oudejans-kraaijeveld"
PLAIN_LINK = "https://example.org/sociale-kaart"
PATIENCE = httpx.Timeout(120)
# How the gate marks a participant in a stored text ("⟦deelnemer:{id}⟧") until a shared version
# names them with a pseudonym: never shown.
MENTION = "⟦"

# The participants' names, every part of them and their slug forms.
PARTICIPANT_SENTINELS = [
    "Joost Wiegersma",
    "Joost",
    "Wiegersma",
    "joost-wiegersma",
    "Zeynep Oudejans-Kraaijeveld",
    "Zeynep",
    "Oudejans",
    "Kraaijeveld",
    "zeynep-oudejans-kraaijeveld",
    "Anneke Bosma",
    "Anneke",
    "Bosma",
    "Pieter Zandbergen",
    "Pieter",
    "Zandbergen",
]
THIRD_PARTY_SENTINELS = ["Fatima El Moussaoui", "Moussaoui", *identifying(SENTENCES)]
SENTINELS = PARTICIPANT_SENTINELS + THIRD_PARTY_SENTINELS

# What the participants write about themselves and each other (with an ordinary word each).
OWN_NOTES = {
    "joost": "De wachtlijst voor schuldhulp is te lang, vindt ook joost  wiegersma",
    "zeynep": "Dat zei anneke ook: de wachtlijst maakt bewoners moedeloos",
    "anneke": "Zeynep  Oudejans-Kraaijeveld belt de wijkcoach voortaan elke week",
}
MORE_NOTES = {
    "anneke": "zeynep oudejans kraaijeveld en ANNEKE BOSMA schrijven samen de belwijzer",
    "zeynep": "Vraag het aan Joost-Wiegersma of joost.wiegersma, die kent de sociale kaart",
}
TAKEAWAYS = {
    "joost": "Volgende keer vraag ik anneke  bosma eerder om hulp",
    "zeynep": "Ik bel Henk de Vries morgen terug over de huurachterstand",
    "anneke": "Zeynep Oudejans-Kraaijeveld helpt mij met het stappenplan",
}
CLUSTER = "Aanpak van Anneke Bosma"
CHART = {
    "x_low": "Zoals Joost Wiegersma werkt",
    "x_high": "Zoals mevrouw Jansen het wil",
    "y_low": "Alleen",
    "y_high": "Samen",
}
QUESTIONS = [
    "Wat vindt Fatima El Moussaoui ervan?",
    "Hoe helpen we joost  wiegersma bij de wachtlijst?",
    "Mag mevrouw Jansen meelezen in het plan?",
]
SECOND_QUESTION = "Kan Fatima El Moussaoui ons helpen met de wachtlijst?"
# Ordinary words of these texts: a shared version shows them (the notes outside a cluster only
# on the outcome page: a module export holds the clustered notes only).
ORDINARY = ["wachtlijst", "belwijzer", "huurachterstand", "morgen", "Aanpak"]
ORDINARY_NOTES = ["moedeloos", "wijkcoach", "Zoals"]  # "Zoals": the chart's labels


def composition() -> dict[str, str]:
    thirds = [SENTENCES[:16], SENTENCES[16:32], SENTENCES[32:]]
    return {
        "summary": "We bespraken de wachtlijst voor schuldhulp in de casus van Joost Wiegersma. "
        + " ".join(s.text for s in thirds[0]),
        "insights": "Korte lijnen helpen, zei anneke  bosma. "
        + " ".join(s.text for s in thirds[1]),
        "actions": "zeynep oudejans-kraaijeveld maakt de belwijzer af. "
        + " ".join(s.text for s in thirds[2]),
        "questions": "\n".join(QUESTIONS),
        "product-1-title": "Belwijzer van Zeynep Oudejans-Kraaijeveld",
        "product-1-text": "Voor de familie van Henk de Vries en voor joost  wiegersma",
        "product-1-url": NAME_LINK,
        "product-2-title": "Sociale kaart",
        "product-2-text": "Een overzicht van de hulp in de wijk",
        "product-2-url": PLAIN_LINK,
    }
