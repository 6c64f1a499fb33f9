"""The confirmation and My booking carry a QR code of the reference (and of nothing else),
drawn on the server as inline SVG; the print stylesheet is linked for paper."""
from __future__ import annotations

import re

import pytest
import segno

from service_desk.base.links import done_token, manage_token
from service_desk.base.qr import reference_qr_svg
from service_desk.requests.models import RequestStatus

from ..factories import DAY, PHONE, add_booking
from ..factories import local_at as _at

QR_RE = re.compile(r'<figure class="reference-qr" id="reference-qr">(<svg .*?</svg>)', re.DOTALL)


def _path(svg: str) -> str:
    return re.search(r'<path [^>]*stroke="#000" d="([^"]+)"', svg).group(1)


def test_the_code_holds_the_reference_only_whatever_its_spacing():
    svg = reference_qr_svg("ab3d 7kmn", label="QR")
    assert svg.startswith('<svg role="img" aria-label="QR" ') and 'viewBox="0 0 ' in svg
    assert "width=" not in svg.split(">")[0]  # scales with CSS
    expected = segno.make("AB3D7KMN", error="m", micro=False).svg_inline(scale=1)
    assert _path(svg) == _path(expected)  # the same modules as the bare reference
    assert reference_qr_svg("AB3D-7KMN") == reference_qr_svg("ab3d7kmn")


def test_an_empty_reference_draws_nothing_and_the_label_is_escaped():
    assert reference_qr_svg("  ") == ""
    assert 'aria-label="a &lt;b&gt;"' in reference_qr_svg("AB3D7KMN", label="a <b>")


@pytest.fixture
def resident(app, client, seeded):
    client.set_cookie("lang", "en")
    return client


def _done(app, client, reference):
    with app.test_request_context():
        token = done_token(reference)
    return client.get(f"/book/done/{token}").get_data(as_text=True)


def _manage(app, client, reference):
    with app.test_request_context():
        token = manage_token(reference, PHONE)
    return client.get(f"/my-booking/{token}").get_data(as_text=True)


def test_the_confirmation_has_the_code_of_its_reference_and_no_phone(app, resident):
    add_booking(app, reference="HALL2222", start=_at(DAY, 10))
    html = _done(app, resident, "HALL2222")
    svg = QR_RE.search(html).group(1)
    with app.test_request_context():
        assert _path(svg) == _path(str(reference_qr_svg("HALL2222")))
    assert 'aria-label="QR code of the reference HALL 2222"' in svg
    assert PHONE not in svg and "5678" not in svg
    assert 'href="/static/css/print.css" media="print"' in html


def test_my_booking_shows_the_code_while_booked_only(app, resident):
    add_booking(app, reference="HALL2222", start=_at(DAY, 10))
    add_booking(app, reference="GONE3333", start=_at(DAY, 11), status=RequestStatus.CANCELLED)
    assert QR_RE.search(_manage(app, resident, "HALL2222"))
    assert 'id="reference-qr"' not in _manage(app, resident, "GONE3333")
    assert 'id="reference-qr"' not in _done(app, resident, "GONE3333")
