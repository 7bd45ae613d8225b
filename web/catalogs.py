"""Message catalogs of the UI: extract, update and compile (``python -m web.catalogs update|compile|check``)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALES = ("bn", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PROJECT = "ashshash-radio"


def po_path(locale: str) -> Path:
    """The .po file of ``locale``."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def extract_messages() -> Catalog:
    """Every translatable string in web/ (Python and templates), as babel.cfg says."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(project=PROJECT, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True,
        directory_filter=lambda d: Path(d).name not in {".venv", ".git", "node_modules", "__pycache__"},
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(locale: str) -> Catalog:
    """The .po catalog of ``locale``."""
    with open(po_path(locale), "rb") as fh:
        return read_po(fh, locale=locale)


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalog (fuzzy entries left out, as at run time)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update_catalogs() -> None:
    """Merge newly extracted strings into each .po (English gets msgstr = msgid)."""
    template = extract_messages()
    for locale in LOCALES:
        path = po_path(locale)
        if path.exists():
            catalog = read_catalog(locale)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=locale, project=PROJECT, charset="utf-8")
            catalog.update(template)
        if locale == "en":
            for message in catalog:
                empty = not message.string or (isinstance(message.string, tuple) and not all(message.string))
                if message.id and (empty or message.fuzzy):
                    message.string = message.id
                    message.flags.discard("fuzzy")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            write_po(fh, catalog, width=120, sort_output=True, no_location=True)


def compile_catalogs() -> None:
    """Write each .mo from its .po."""
    for locale in LOCALES:
        po_path(locale).with_suffix(".mo").write_bytes(compiled(read_catalog(locale)))


def _messages(catalog: Catalog) -> dict[object, object]:
    # Plural entries come back from .mo files as lists; make them comparable.
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def problems() -> list[str]:
    """What is wrong with the catalogs: missing or untranslated strings, stale .mo files."""
    found: list[str] = []
    wanted = {m.id for m in extract_messages() if m.id}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted, key=str):
            message = have.get(msgid)
            if message is None:
                found.append(f"{locale}: not in the catalog: {msgid!r}")
            elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                found.append(f"{locale}: untranslated: {msgid!r}")
            elif message.fuzzy:
                found.append(f"{locale}: fuzzy: {msgid!r}")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists():
            found.append(f"{locale}: {mo.name} is missing")
        else:
            with open(mo, "rb") as fh:
                built = _messages(read_mo(fh))
            source = _messages(read_mo(io.BytesIO(compiled(catalog))))
            if built != source:
                found.append(f"{locale}: {mo.name} is out of date; run `python -m web.catalogs compile`")
    return found


def main(argv: list[str]) -> int:
    """Command line: update | compile | check."""
    command = argv[0] if argv else "check"
    if command == "update":
        update_catalogs()
    elif command == "compile":
        compile_catalogs()
    found = problems()
    for line in found:
        print(line)
    return 1 if found and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
