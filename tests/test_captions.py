"""A lede does not open with the lead photo's caption or credit, a byline or a page's note."""

from __future__ import annotations

import pytest

from monitor.extract.captions import is_caption, without_captions


@pytest.mark.parametrize("line", [
    "Enlarge this image toggle caption Jane Doe/AP Jane Doe/AP",
    "Image copyright Reuters Image caption Rescuers worked through the night",
    "Image copyright Getty Images",
    "Rescuers at the collapsed bridge on Tuesday. (Photo: AP)",
    "Crowds gather at the square before the vote. (Jane Doe/Getty Images)",
    "The minister arrives for the talks. John Smith/Reuters",
    "Delegates at the summit in Kazan. REUTERS/Ivan Petrov",
    "A tanker off the coast on Friday. (Jane Doe/Yonhap via AP)",
    "The launch pad on Monday. (Associated Press)",
    "The wreck in the woods on Sunday.Jane Doe / Agence France-Presse",
    "By Jane Doe",
    "Updated at 9:50 p.m. ET Thursday",
    "CLOSE The chief executive explains the deal in a video.",
])
def test_captions_and_credits_are_told_apart(line: str) -> None:
    assert is_caption(line)


@pytest.mark.parametrize("line", [
    "MOSCOW (Reuters) - Sberbank will work with Chinese researchers on AI.",
    "The agency said the chips were shipped via Hong Kong, the AP reported.",
    "Officials from the EPA said the rule would take effect in March.",
    "Photographs of the site were released on Monday.",
    "The fine was confirmed on Tuesday, according to the Associated Press.",
    "Close to 200 people were evacuated.",
    "By noon the talks had collapsed and the delegations left Kazan for Moscow.",
    "",
])
def test_a_story_line_is_not_a_caption(line: str) -> None:
    assert not is_caption(line)


def test_only_opening_captions_go_and_a_text_is_never_emptied() -> None:
    story = "Sberbank signed the agreement on Monday.\nA crowd watched. (Photo: AP)"
    assert without_captions("Image copyright AFP\nThe bank's chief. Jane Doe/AFP\n" + story) == story
    assert without_captions(story) == story  # a caption further down stays
    assert without_captions("Image copyright AFP") == "Image copyright AFP"


def test_an_update_mark_run_into_the_first_paragraph_goes() -> None:
    first = "Silicon Valley's problem was well known long before the movement started."
    assert without_captions(f"Updated | {first}\nMore follows.") == f"{first}\nMore follows."
    assert without_captions(f"Image copyright AFP\nUPDATED | {first}") == first
    assert without_captions("Updated | ") == "Updated | "  # never emptied
    assert without_captions(f"{first} Updated | later") == f"{first} Updated | later"  # only where it opens
