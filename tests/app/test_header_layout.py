"""The header: brand and the two switches in one bar, the navigation behind one menu button
(a <details>, so it works without JavaScript); staff work pages get the wide column."""
from __future__ import annotations

import re

from ..factories import signed_in


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">'):html.index("</header>")]


def test_the_switches_sit_in_the_brand_s_bar_and_the_navigation_behind_a_menu(client, seeded):
    client.set_cookie("lang", "en")
    header = _header(client.get("/").get_data(as_text=True))
    bar = header[:header.index("</div>")]
    assert 'class="brand"' in bar
    assert "elder=1" in bar and ">Elder mode</a>" in bar  # one tap, never inside the menu
    assert 'lang="zh-CN"' in bar and ">中文</a>" in bar
    menu = header[header.index('<details class="menu">'):]
    assert re.search(r'<summary class="menu-button">.*Menu</summary>', menu)
    assert '<nav class="main-nav" aria-label="Main">' in menu
    assert "/book" in menu and "/login" in menu


def test_staff_find_their_work_in_the_menu(app, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    header = _header(signed_in(app, "centre", lang="en").get("/").get_data(as_text=True))
    assert re.search(r'<a href="/work"[^>]*>My work</a>', header)


def test_staff_pages_get_the_wide_column_and_residents_pages_do_not(app, client, seeded,
                                                                    make_user):
    assert '<body class="">' in client.get("/book").get_data(as_text=True)
    make_user("admin", username="root")
    admin = signed_in(app, "root")
    for path in ("/admin/audit", "/admin/outbox", "/matters/", "/hotline/"):
        assert '<body class="wide">' in admin.get(path).get_data(as_text=True), path
    assert '<body class="">' in admin.get("/book").get_data(as_text=True)
    admin.set_cookie("elder", "1")
    assert '<body class="elder wide">' in admin.get("/admin/audit").get_data(as_text=True)
