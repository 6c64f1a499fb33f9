"""What the browser tests share."""
from __future__ import annotations


def no_horizontal_scroll(phone) -> bool:
    """The page fits the phone's width."""
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def nav_link(page, name: str):
    """A link of the main navigation; on a phone it sits behind the menu button: open it."""
    button = page.locator("summary.menu-button")
    if button.is_visible() and not page.evaluate("!!document.querySelector('details.menu[open]')"):
        button.click()
    return page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True)
