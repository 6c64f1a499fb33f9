"""A booking reference as a QR code, drawn on the server as inline SVG (segno, pure Python):
the hall's scanner reads it from the confirmation, on paper or on a phone's screen.

It encodes the reference only: never the phone number or a name.
"""
from __future__ import annotations

import io

import segno
from markupsafe import Markup, escape

from .display import normalise_reference


def reference_qr_svg(reference: str, *, label: str = "") -> Markup:
    """An <svg role="img"> that scales with CSS (a viewBox, no fixed size); ``label`` is what
    a screen reader says instead of the picture. Empty for an empty reference."""
    code = normalise_reference(reference)
    if not code:
        return Markup("")
    out = io.BytesIO()
    # a quiet zone of 4 modules and dark on white, as scanners expect, whatever the page's colours
    segno.make(code, error="m", micro=False).save(
        out, kind="svg", scale=1, border=4, dark="#000", light="#fff", xmldecl=False,
        svgns=True, omitsize=True, svgclass="qr-code", lineclass=None, nl=False)
    svg = out.getvalue().decode("ascii")
    attrs = f'role="img" aria-label="{escape(label or code)}" '
    return Markup(svg.replace("<svg ", "<svg " + attrs, 1))
