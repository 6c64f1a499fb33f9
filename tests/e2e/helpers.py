"""What the browser tests share."""
from __future__ import annotations


def no_horizontal_scroll(phone) -> bool:
    """The page fits the phone's width."""
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
