"""Author lists as spreadsheets hold them: 'Family, Given; …', 'Given Family', 'Family I.', organisations
by their words, Python-list cells."""

from __future__ import annotations

import re
from functools import lru_cache

from kbase.formats.bibtex.names import Name
from kbase.text import clean_line, fold, fold_words

# words that make a name an organisation's (folded)
_ORG_WORDS = set("""institute institut institution service services university universite universidad centre center
centro ministry ministere agency agence office bureau council conseil commission committee comite association
foundation fondation fundacion network reseau group groupe bank banque programme program project projet company
ltd inc llc sa sarl asbl vzw ngo ong organisation organization society societe federation union department
departement observatory observatoire initiative alliance coalition partnership platform plateforme forum trust
fund fonds nations international internationale research recherche watch consortium secretariat authority
autorite school ecole college laboratory laboratoire unit unite cooperation cooperative corps world global
national nationale republic republique government gouvernement parliament parlement assembly assemblee court
cour police army armee mission museum musee library bibliotheque press presse news media editions publishing
publications team equipe collective collectif campaign campagne movement mouvement church eglise""".split())
_PARTICLES = {"van", "von", "de", "der", "den", "du", "des", "di", "da", "dos", "das", "del", "della", "la", "le",
              "ten", "ter", "bin", "ibn", "al", "el", "mac", "st", "saint"}
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")
_SPLIT_NAMES = re.compile(r"\s*[;\n]\s*")


@lru_cache(maxsize=65536)
def parse_name(raw: str) -> Name | None:
    """'Verweijen, Judith', 'Judith Verweijen', 'J. Verweijen', 'Ludwig van Beethoven' are people; an acronym,
    a name in braces, a name with an organisation's word or more than four words is an organisation."""
    text = " ".join(clean_line(raw).split()).strip(" .,")
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1].strip()
        return Name("organisation", inner) if any(ch.isalnum() for ch in inner) else None
    if not any(ch.isalnum() for ch in text):
        return None
    words = text.replace(",", " ").split()
    folded = [fold_words(w) for w in words]
    if any(w in _ORG_WORDS for w in folded) or (len(words) == 1 and _is_acronym(words[0])) or \
            any(ch.isdigit() for ch in text) or "&" in text:
        return Name("organisation", text)
    if "," in text:
        family, _, given = (p.strip() for p in text.partition(","))
        given = given.strip(" ,")
        if family and given and len(given.split()) <= 4 and len(family.split()) <= 4:
            return Name("person", f"{given} {family}", f"{family}, {given}")
        return Name("organisation", text)
    if len(words) == 1:
        return Name("person", text)  # a family name alone
    if len(words) > 4:
        return Name("organisation", text)
    if len(words) <= 3 and _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):  # Medline: Smith JA
        family, given = " ".join(words[:-1]), words[-1]
        return Name("person", f"{given} {family}", f"{family}, {given}")
    if not all(w[:1].isupper() or fold(w) in _PARTICLES for w in words):
        return Name("organisation", text)
    cut = len(words) - 1
    while cut > 1 and fold(words[cut - 1]) in _PARTICLES:
        cut -= 1  # the particles before the family name belong to it: van Beethoven
    given, family = " ".join(words[:cut]), " ".join(words[cut:])
    return Name("person", text, f"{family}, {given}")


_FAMILY_INITIALS = re.compile(r"^[^\d,;]+ (?:[A-Z]\.?-?){1,3}$")


def _comma_names(text: str) -> list[str]:
    """'Liu R., Adler D.G.' (Embase's list, commas between names) as two names; 'Marx, Karl' stays one."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1 and all(_FAMILY_INITIALS.match(p) for p in parts):
        return parts
    return [text]


def _is_acronym(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)
