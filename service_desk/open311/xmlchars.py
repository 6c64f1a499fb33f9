"""Characters XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF). One
posted request holding one of them would make the public XML feed unreadable for every
client, so they are refused on the way in and left out on the way out."""
from __future__ import annotations

import re

NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def has_unsafe(text: str | None) -> bool:
    return bool(text) and NOT_IN_XML.search(text) is not None


def xml_safe(text: str) -> str:
    return NOT_IN_XML.sub("", text)
