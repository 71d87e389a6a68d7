"""Test data for the sharing gate (issue 13): Dutch sentences as they are written in intervisie,
moreel beraad and casuïstiek notes, naming clients, residents, family members and colleagues,
with phone numbers, BSN, e-mail addresses, street addresses, dates of birth and ages.

Written for these tests (not taken from real cases; every name, number and address is made up;
the BSN values pass the 11-proef). For each sentence: the substrings that must never leave the
group, and one ordinary word of the same sentence that must stay (so a test cannot pass by
showing nothing).

`SENTENCES` are those where deduce (catalogue.outcomes.deidentify.find, deduce 3.0.6) finds what
identifies someone, alone and inside one long text of all of them; the tests assert these.
`KNOWN_MISSES` are sentences where deduce misses (part of) what identifies someone: they are
not asserted, and docs/privacy.md can cite them as what the gate does not catch.

`leaks(text, sentinels)` is how a test looks for a sentinel in a page, an API answer or an
export: case-insensitive, with white space collapsed (also in the sentinel), HTML entities
decoded, and as a whole word (so "Ria" is found, but not inside "criteria").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    text: str
    identifying: tuple[str, ...]  # never shown beyond the group
    ordinary: str  # a plain word of the same sentence, shown beyond the group


def _s(text: str, identifying: list[str], ordinary: str) -> Sentence:
    for part in [*identifying, ordinary]:
        assert part in text, (text, part)
    return Sentence(text, tuple(identifying), ordinary)


SENTENCES: tuple[Sentence, ...] = (
    _s(
        "Mijn cliënt Henk de Vries uit de Vogelwijk belt me elke avond na negen uur.",
        ["Henk de Vries", "Vogelwijk"],
        "avond",
    ),
    _s("Mevrouw Jansen weigert nog steeds de thuiszorg binnen te laten.", ["Jansen"], "thuiszorg"),
    _s(
        "Haar dochter Sandra Bakker is bereikbaar op 06-12345678, liefst na de lunch.",
        ["Sandra Bakker", "06-12345678", "12345678"],
        "lunch",
    ),
    _s(
        "Het BSN van meneer Pieters is 111222333, dat stond per ongeluk in de mail.",
        ["Pieters", "111222333"],
        "ongeluk",
    ),
    _s(
        "De buurman, Gerrit Hofstede, heeft de politie gebeld over het geluid.",
        ["Gerrit Hofstede", "Hofstede"],
        "geluid",
    ),
    _s(
        "Je kunt het wijkteam Noord mailen via h.devries@gmail.com of bellen met 010-4567890.",
        ["h.devries@gmail.com", "010-4567890", "4567890"],
        "wijkteam",
    ),
    _s(
        "Mijn collega Marloes Verbeek had de casus al eerder bij de huisarts neergelegd.",
        ["Marloes Verbeek", "Verbeek"],
        "neergelegd",
    ),
    _s(
        "Mevrouw El Amrani woont op de Kerkstraat 12 in Utrecht en voelt zich eenzaam.",
        ["El Amrani", "Kerkstraat 12"],
        "eenzaam",
    ),
    _s(
        "Meneer Van den Berg is geboren op 14 maart 1952 en heeft beginnende dementie.",
        ["Van den Berg", "14 maart 1952"],
        "dementie",
    ),
    # deduce finds the number after "+31 6" (as a number, not as a phone number): the digits
    # that identify go; "+31 6" stays.
    _s(
        "De zoon van mevrouw Smit, Kevin, belt vanuit Spanje met +31 6 98765432.",
        ["Smit", "Kevin", "+31 6 98765432", "98765432"],
        "zoon",
    ),
    _s(
        "Bewoner Ahmed Yilmaz heeft schulden bij de woningcorporatie en schaamt zich ervoor.",
        ["Ahmed Yilmaz", "Yilmaz"],
        "woningcorporatie",
    ),
    _s(
        "Op 3 januari 2024 had Femke de Graaf haar laatste gesprek met de schuldhulpverlener.",
        ["Femke de Graaf", "3 januari 2024"],
        "schuldhulpverlener",
    ),
    _s(
        "Het burgerservicenummer 123456782 hoort bij de jongste zoon van de familie Mulder.",
        ["123456782", "Mulder"],
        "jongste",
    ),
    _s(
        "Cliënt Bram Koster (geboren 02-05-1987) is sinds de zomer dakloos.",
        ["Bram Koster", "02-05-1987"],
        "dakloos",
    ),
    _s(
        "Zijn moeder, mevrouw Tineke Hoekstra, wil niet dat wij met de school praten.",
        ["Tineke Hoekstra", "Hoekstra"],
        "school",
    ),
    _s(
        "Mijn teamleider Ruud Schipper vindt dat we de melding moeten doen.",
        ["Ruud Schipper", "Schipper"],
        "melding",
    ),
    _s(
        "Mevrouw Dijkstra is bereikbaar op 0612345678 of op haar vaste nummer 050-3141592.",
        ["Dijkstra", "0612345678", "050-3141592"],
        "vaste",
    ),
    _s(
        "De mantelzorger van meneer Visser, zijn nicht Esther, is overbelast.",
        ["Visser", "Esther"],
        "overbelast",
    ),
    _s(
        "We bespraken de situatie van Lotte Brouwer, die bij haar oma in Kampen woont.",
        ["Lotte Brouwer", "Brouwer"],
        "oma",
    ),
    _s(
        "Kees Willemsen stuurde zijn dossier naar k.willemsen@hotmail.nl zonder het te beveiligen.",
        ["Kees Willemsen", "k.willemsen@hotmail.nl", "Willemsen"],
        "beveiligen",
    ),
    _s(
        "De ex-partner van mevrouw De Boer woont nog steeds op de Dorpsstraat 45.",
        ["De Boer", "Dorpsstraat 45"],
        "steeds",
    ),
    _s(
        "Mijn cliënt Youssef Amrani is 17 jaar en komt binnenkort uit de jeugdzorg.",
        ["Youssef Amrani", "17 jaar"],
        "jeugdzorg",
    ),
    _s(
        "Wijkverpleegkundige Ingrid Mol zei dat meneer Bos zijn medicijnen niet meer inneemt.",
        ["Ingrid Mol", "meneer Bos"],
        "medicijnen",
    ),
    _s(
        "Het adres van de familie Peters is Lindelaan 7, 8011 AB Zwolle.",
        ["Peters", "Lindelaan 7", "8011 AB"],
        "adres",
    ),
    _s(
        "Bel bij vragen mevrouw Van Dam van de GGD op 038-4281000.",
        ["Van Dam", "038-4281000"],
        "vragen",
    ),
    _s(
        "Sanne Meijer, de dochter van onze bewoner, mailde vanaf sanne.meijer@outlook.com.",
        ["Sanne Meijer", "sanne.meijer@outlook.com"],
        "bewoner",
    ),
    _s(
        "Meneer Hendriks vertelde dat zijn vrouw Ria vorig jaar is overleden.",
        ["Hendriks", "Ria"],
        "overleden",
    ),
    _s(
        "In het gesprek met Jeroen van Leeuwen kwam zijn gokverslaving ter sprake.",
        ["Jeroen van Leeuwen", "Leeuwen"],
        "gokverslaving",
    ),
    _s(
        "Stagiaire Noor Vermeer schreef het verslag over de casus van mevrouw Kok.",
        ["Noor Vermeer", "Vermeer", "mevrouw Kok"],
        "verslag",
    ),
    _s(
        "De huisarts, dokter Bakker, wilde de heer Timmermans liever zelf bellen.",
        ["dokter Bakker", "Timmermans"],
        "liever",
    ),
    _s(
        "Zijn BSN 111222333 en geboortedatum 12-11-1975 stonden op de brief aan de gemeente.",
        ["111222333", "12-11-1975"],
        "gemeente",
    ),
    _s(
        "Mevrouw Postma uit de Schilderswijk kan alleen na 16.00 uur gebeld worden op 06 11223344.",
        ["Postma", "06 11223344", "11223344"],
        "gebeld",
    ),
    _s(
        "Vrijwilliger Willem de Jong brengt mevrouw Kuipers elke dinsdag naar de dagbesteding.",
        ["Willem de Jong", "Kuipers"],
        "dagbesteding",
    ),
    _s(
        "De casus van Fleur Hermans, geboren op 7 juli 2008, gaat over schooluitval.",
        ["Fleur Hermans", "Hermans", "7 juli 2008"],
        "schooluitval",
    ),
    _s(
        "Meneer Özdemir schreef ons vanaf ozdemir.m@ziggo.nl dat hij het huurcontract kwijt is.",
        ["Özdemir", "ozdemir.m@ziggo.nl"],
        "huurcontract",
    ),
    _s(
        "Mijn collega van het sociaal team, Petra Wouters, neemt de begeleiding van Daan over.",
        ["Petra Wouters", "Wouters", "Daan"],
        "begeleiding",
    ),
    _s(
        "De broer van cliënt Tom Verhoeven belde op +31 20 5550123 om te klagen.",
        ["Tom Verhoeven", "Verhoeven", "+31 20 5550123", "5550123"],
        "klagen",
    ),
    _s(
        "Mevrouw Claes heeft sinds de verhuizing naar de Oranjestraat 3 geen contact met de buren.",
        ["Claes", "Oranjestraat 3"],
        "verhuizing",
    ),
    _s(
        "De zoon van mevrouw Jansen, die in Deventer woont, komt maar één keer per maand.",
        ["mevrouw Jansen"],
        "maand",
    ),
    _s(
        "Meneer Wolters is 84 jaar en woont alleen boven een winkel.",
        ["Wolters", "84 jaar"],
        "winkel",
    ),
    _s(
        "Ik heb Marieke Zwart aangeraden om met haar wijkcoach te praten.",
        ["Marieke Zwart"],
        "wijkcoach",
    ),
    _s(
        "Zijn dochter belt ons vanuit Duitsland op +31612345678 als hij niet opneemt.",
        ["+31612345678"],
        "opneemt",
    ),
    _s(
        "Mw. Jansen en dhr. De Wit kwamen samen naar het spreekuur.",
        ["Mw. Jansen", "De Wit"],
        "spreekuur",
    ),
    _s(
        "Meneer Bouzid (06-87654321) wacht al maanden op een urgentieverklaring.",
        ["Bouzid", "06-87654321"],
        "urgentieverklaring",
    ),
    _s(
        "Mevrouw Rijkers-Van Dongen is op 1-4-1960 geboren en woont op Molenweg 8.",
        ["Rijkers-Van Dongen", "1-4-1960", "Molenweg 8"],
        "geboren",
    ),
    _s(
        "Tante Gerda neemt de kinderen van haar zus in het weekend mee naar de markt.",
        ["Gerda"],
        "markt",
    ),
    _s(
        "Ik heb het gespreksverslag gemaild naar info@wijkteam-oost.nl en naar zijn begeleider.",
        ["info@wijkteam-oost.nl"],
        "gespreksverslag",
    ),
)

# What deduce misses (not asserted; for docs/privacy.md): names in lower case, an institution
# it does not know, a BSN written with dots, phone numbers written in groups, an IBAN, a family
# name with its tussenvoegsel but without a first name or title, an address without a street
# word, and the "jaar"/"-jarige" of an age (it takes the number only).
KNOWN_MISSES: tuple[Sentence, ...] = (
    # lower case: no person found at all
    _s("mijn cliënt henk de vries vertelde dat hij zich schaamt.", ["henk de vries"], "schaamt"),
    _s("we hebben met anita over haar moeder gesproken.", ["anita"], "moeder"),
    _s("de cliënt heet jan bakker en woont bij zijn zus.", ["jan bakker"], "zus"),
    # a BSN with dots is not recognised
    _s("Het BSN 123.456.782 stond op de aanvraag.", ["123.456.782"], "aanvraag"),
    # "+31 6 12 ..." is taken for a date ("31 6 12"); "34 56 78" stays
    _s("De zoon belt met +31 6 12 34 56 78 als het misgaat.", ["34 56 78"], "misgaat"),
    # an IBAN: only the account number's digits are found, "NL91ABNA" stays
    _s("Het rekeningnummer NL91ABNA0417164300 stond in de chat.", ["NL91ABNA"], "chat"),
    # "De Regenboog" (a school) is not found as an institution
    _s("Het meisje uit groep 7 van De Regenboog heet Jasmijn.", ["De Regenboog"], "meisje"),
    # an address without a street word
    _s("Hij woont in de flat aan het Zuiderpark, nummer 112.", ["Zuiderpark"], "flat"),
    # an institution deduce does not list (an addiction care provider)
    _s("De cliënt zit bij Tactus voor zijn alcoholgebruik.", ["Tactus"], "alcoholgebruik"),
    # a family name with tussenvoegsel, no first name or title
    _s("De familie Van der Meer wil niet dat de buren iets merken.", ["Van der Meer"], "buren"),
)


def normalised(text: str) -> str:
    """Text as a sentinel search sees it: HTML entities decoded, case folded, white space
    collapsed."""
    return " ".join(html.unescape(text).casefold().split())


def _pattern(sentinel: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in normalised(sentinel).split(" ")]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def leaks(text: str, sentinels: Iterable[str]) -> list[str]:
    """The sentinels found in `text` (a page, an API answer, an export), as whole words, in any
    case and with any white space between their words."""
    folded = normalised(text)
    return [s for s in sentinels if _pattern(s).search(folded)]


def identifying(sentences: Iterable[Sentence] = SENTENCES) -> list[str]:
    return [part for sentence in sentences for part in sentence.identifying]


def ordinary(sentences: Iterable[Sentence] = SENTENCES) -> list[str]:
    return [sentence.ordinary for sentence in sentences]
