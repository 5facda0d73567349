"""The pages a listing's navigation shows, worked out without a loop over every page."""

from __future__ import annotations

from govsite.plan import Pagination


def every_page_looked_at(count: int, number: int) -> list[tuple[int, str | None]]:
    """What the navigation showed when its template looped over every page (before)."""
    shown: list[tuple[int, str | None]] = []
    for n in range(1, count + 1):
        if n == 1 or n == count or abs(n - number) <= 2:
            shown.append((n, f"p/{n}/"))
        elif n == 2 or n == count - 1:
            shown.append((n, None))
    return shown


def test_the_window_is_what_a_loop_over_every_page_showed() -> None:
    for count in range(1, 40):
        urls = tuple(f"p/{n}/" for n in range(1, count + 1))
        for number in range(1, count + 1):
            window = Pagination(number=number, urls=urls).window
            assert list(window) == every_page_looked_at(count, number), (count, number)


def test_a_long_listing_shows_its_ends_and_the_pages_near_this_one() -> None:
    urls = tuple(f"p/{n}/" for n in range(1, 501))
    window = Pagination(number=250, urls=urls).window
    assert [n for n, url in window if url] == [1, 248, 249, 250, 251, 252, 500]
    assert [n for n, url in window if url is None] == [2, 499]  # the two gaps (…)
