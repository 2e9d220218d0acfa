"""What a person reads for the catalogue's own names: field labels, record kinds, and which fields hold a
word to translate (a publication's type, a visibility…). English; translated where shown (kbase.i18n), by
the CLI and the desktop app alike, so that both say a field the same way."""

from __future__ import annotations

from kbase.i18n import N_, gettext, language

__all__ = ["FIELD_LABELS", "KIND_TITLES", "TRANSLATED_VALUES", "HISTORY_OPS", "RELATION_LABELS", "field_label",
           "kind_word", "relation_words", "value_word", "lower_first", "changed_field"]

# field names as shown; a field not listed is shown by its name, prettified
FIELD_LABELS = {
    "id": "ID", "title": "Title", "subtitle": "Subtitle", "type": "Type", "date": "Date", "series": "Series",
    "number": "Number", "language": "Language", "abstract": "Abstract", "url": "Web page", "publisher": "Publisher",
    "place": "Place", "isbn": "ISBN", "doi": "DOI", "pages": "Pages", "container": "In", "visibility": "Visibility",
    "citekey": "Citation key", "contributors": "Contributors", "projects": "Projects", "regions": "Regions",
    "subjects": "Subjects", "attachments": "Attachments", "short_name": "Short name", "programme": "Programme",
    "summary": "Summary", "start": "Start", "end": "End", "partners": "Partners", "funders": "Funders",
    "assignments": "Assignments", "publications": "Publications", "name": "Name", "acronym": "Acronym",
    "kind": "Kind", "country": "Country", "notes": "Notes", "aliases": "Also known as", "people": "People",
    "role": "Role", "email": "E-mail", "organisations": "Organisations", "events": "Events",
    "parent": "Part of", "children": "Contains", "name_fr": "French name", "name_local": "Local name",
    "level": "Level", "end_date": "End date", "description": "Description", "organiser": "Organiser",
    "project": "Project", "version": "Version", "created": "Created", "updated": "Modified", "extra": "Other fields",
    "partner": "Partner", "funder": "Funder", "client": "Client", "publisher_role": "Publisher",
    "organisers": "Organisers", "hosts": "Hosts", "supporters": "Supporters", "parts": "Parts", "roles": "Roles",
    "part_kind": "As its", "period_start": "Period from", "period_end": "Period to", "editors_et_al": "More editors",
    "related": "Related publications", "links": "Links", "collections": "Collections",
}
# a record's kind as a heading says it
KIND_TITLES = {"publication": "Publication", "project": "Project", "organisation": "Organisation",
               "person": "Person", "region": "Region", "event": "Event", "programme": "Programme",
               "series": "Series", "subject": "Subject", "attachment": "Attachment"}
# fields whose stored value is a word of a fixed list (a publication type, a visibility, a role…): the
# catalogs hold each word (ui.i18n_tables lists kbase.library.models' lists)
TRANSLATED_VALUES = {"type", "visibility", "role", "level", "status", "kind"}

# a change in a record's history (kbase.catalogue.history's op), as the history panel and `kbase history` say it
HISTORY_OPS = {"insert": N_("new record"), "update": N_("changed"), "delete": N_("moved to the trash"),
               "restore": N_("restored from the trash")}

# how two publications relate (kbase.library.models.RELATIONS, both ways), as the notes pane and `kbase show` say it
RELATION_LABELS = {"translation of": N_("Translation of"), "has translation": N_("Has translation"),
                   "summary of": N_("Summary of"), "has summary": N_("Has summary"), "chapter of": N_("Chapter of"),
                   "has chapter": N_("Has chapter"), "revised edition of": N_("Revised edition of"),
                   "has revised edition": N_("Has revised edition"), "see also": N_("See also")}


def lower_first(text: str) -> str:
    """'Sous-titre' → 'sous-titre'; an acronym ('ISBN', 'DOI') stays as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _in_running_text(labels: dict[str, str], key: str, english: str) -> str:
    """english in English or when key has no label, else key's label translated, in lower case."""
    if language() == "en" or key not in labels:
        return english
    return lower_first(gettext(labels[key]))


def field_label(key: str) -> str:
    """A field's name in running text (the CLI's "subtitle: …"): in English the field's own name ("short name",
    which `kbase edit` takes), else its label in the current language, in lower case ("sous-titre")."""
    return _in_running_text(FIELD_LABELS, key, key.replace("_", " "))


def kind_word(kind: str) -> str:
    """A record kind in running text ("publication 12", "[organisation 3]"): "personne", "région" in French."""
    return _in_running_text(KIND_TITLES, kind, kind)


def relation_words(relation: str) -> str:
    """"translation of" as running text says it: the stored words in English, "traduction de" in French."""
    return _in_running_text(RELATION_LABELS, relation, relation)


def changed_field(name: str) -> str:
    """The label key of a field a history step names: "publisher_id" is the publisher's."""
    return name[:-3] if name.endswith("_id") and name[:-3] in FIELD_LABELS else name


def value_word(key: str, value: str) -> str:
    """A stored value as shown: the word of a fixed list translated ("report" → "rapport"), any other as stored."""
    return gettext(value) if key in TRANSLATED_VALUES and value else value
