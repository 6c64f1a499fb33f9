"""Our msgids are English: fill the en catalog's empty entries with the msgid itself."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "service_desk/translations/en/LC_MESSAGES/messages.po"

with PO.open("rb") as fh:
    catalog = read_po(fh, locale="en")
for message in catalog:
    if message.id and not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
with PO.open("wb") as fh:
    write_po(fh, catalog, width=100)
