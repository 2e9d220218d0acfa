"""Every message the core gives a user is in the catalogs: a KbaseError (or one of its subclasses) raised or
returned must say its text through N_/_/gettext/ngettext/en_ngettext, so that extraction puts it in kbase.po and
kbase.i18n.translate() reads the English message back in the reader's language. An f-string or a bare literal
there would reach `kbase --lang fr` and the French app in English. And a template gets exactly its fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

KBASE = Path(__file__).resolve().parent.parent / "kbase"

# the functions that mark a message for the catalogs
MARKERS = {"N_", "_", "gettext", "ngettext", "en_ngettext", "tr", "tr_n"}

# messages let through, by the start of their text: none (a bug that cannot happen raises a built-in error, not
# a KbaseError)
INTERNAL: tuple[str, ...] = ()


def user_errors() -> set[str]:
    """KbaseError and the names of every class of kbase/ that derives from it (by the names in its bases), and
    BadValue, whose message the BibTeX reader turns into an import note."""
    bases: dict[str, set[str]] = {}
    for path in KBASE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(base) for base in node.bases)
    found = {"KbaseError", "BadValue"}
    while True:
        more = {name for name, said in bases.items() if name not in found and said & found}
        if not more:
            return found
        found |= more


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def marked(node: ast.expr) -> bool:
    """A message said through a marker: N_("…"), N_("… {x}").format(x=…), en_ngettext(…).format(…), or built
    elsewhere and passed on (a name, a call of another function: that function's text is checked where it is)."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return marked(func.value)
        return True  # a marker, or a function that makes the message (checked where it writes it)
    if isinstance(node, ast.JoinedStr):
        return False
    if isinstance(node, ast.Constant):
        return not isinstance(node.value, str)
    if isinstance(node, ast.BinOp):  # "…" + x, "…" % x
        return marked(node.left) and marked(node.right)
    if isinstance(node, ast.IfExp):
        return marked(node.body) and marked(node.orelse)
    return True  # a name, an attribute, a subscript: a message made elsewhere


def _text(node: ast.expr) -> str:
    """The literal text a message starts with, for the report and for INTERNAL."""
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            return child.value
    return ""


def unmarked_raises() -> list[str]:
    errors = user_errors()
    out = []
    for path in sorted(KBASE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):  # raised, or made and returned (kbase.team.reconnect)
                continue
            call = node
            if _name(call.func) not in errors:
                continue
            message = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "message"),
                                                           None)
            if message is None or marked(message) or _text(message).startswith(INTERNAL):
                continue
            out.append(f"{path.relative_to(KBASE.parent)}:{call.lineno}: {_name(call.func)}({_text(message)!r}…)")
    return out


def test_every_raised_message_is_marked_for_the_catalogs() -> None:
    found = unmarked_raises()
    assert not found, "messages a user meets in English only (mark them with N_):\n" + "\n".join(found)


def test_the_guard_sees_an_f_string_and_a_bare_literal() -> None:
    tree = ast.parse('raise NotFound(f"no file {path}")\nraise InvalidInput("bad year")\n'
                     'raise InvalidInput(N_("no file {path}").format(path=p))\nraise InvalidInput(message)\n')
    said = [marked(node.exc.args[0]) for node in tree.body if isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)]
    assert said == [False, False, True, True]
    assert {"KbaseError", "NotFound", "ImportProblem", "OcrUnavailable"} <= user_errors()


if __name__ == "__main__":
    print("\n".join(unmarked_raises()))


def template_mismatches() -> list[str]:
    """N_("… {field} …").format(…) calls whose keywords are not the template's fields: a KeyError waiting for the
    one user who meets the message (or a field the translation is told about that never comes)."""
    out = []
    for path in sorted(KBASE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                    and isinstance(node.func.value, ast.Call) and _name(node.func.value.func) in MARKERS
                    and node.func.value.args and isinstance(node.func.value.args[0], ast.Constant)):
                continue
            if any(k.arg is None for k in node.keywords) or node.args:
                continue  # **fields or positional: not checked
            template = str(node.func.value.args[0].value)
            fields = set(re.findall(r"(?<!\{)\{(\w+)\}", template.replace("{{", "")))
            given = {k.arg for k in node.keywords}
            if fields != given:
                out.append(f"{path.relative_to(KBASE.parent)}:{node.lineno}: {template!r} given {sorted(given)}")
    return out


def test_templates_get_their_fields() -> None:
    found = template_mismatches()
    assert not found, "\n".join(found)
