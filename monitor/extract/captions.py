"""Photo captions, credits and bylines a page prints before its story (pure, light: the pages' ledes read it).

News pages often open their article block with the lead photo's caption or credit: "Enlarge this image
toggle caption Jane Doe/AP Jane Doe/AP", "Image copyright Reuters Image caption The blast destroyed ...",
"Rescuers at the scene on Tuesday. (Photo: AP)", or with a byline, an update note or a video's blurb
("By Jane Doe", "Updated at 9:50 p.m. ET", "CLOSE The chief executive said ..."). The extractor keeps
them, and they differ from article to article (each names its photographer or author), so a site's
furniture count never learns them. A lede leaves out such opening lines; the stored text keeps them.
"""

from __future__ import annotations

import re

MAX_LINES = 3  # opening lines that may be captions; the text's own first paragraph comes soon after
_OPENS = re.compile(r"^(?:enlarge this image|image copyright|image caption|hide caption|toggle caption)\b", re.I)
_PAGE = re.compile(  # written as the pages write them: "Close to 200 ..." and "By noon ..." are story words
    r"^(?:CLOSE\s|Getty Images\s|Getty - Contributor\b|Advertisement(?: - Continue Reading Below)?$"
    r"|Updated(?: at)? .{0,40}$|By [A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){0,3}$)")
_MARK = re.compile(r"^\s*(?:UPDATED|Updated)\s*\|\s*")  # a page's update mark run into the first paragraph
_AGENCY = (r"(?:Getty Images|AP Photo|/ ?AP\b|/ ?AFP\b|AFP/|/ ?Reuters\b|REUTERS/|/ ?EPA\b|EPA/|/ ?Landov\b"
           r"|Shutterstock|via (?:AP|AFP|Reuters)\b|Agence France)")
_ENDS = re.compile(
    r"(?:\((?:Photos?|Photograph|Picture|Image|Credit)\s*:[^()]*\)"  # "... (Photo: AP)"
    rf"|\([^()]*(?:{_AGENCY}|Associated Press)[^()]*\)"  # "... (Jane Doe/Getty Images)", "(Associated Press)"
    rf"|\b[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){{0,3}} ?/? ?{_AGENCY}[^.!?]*)$"  # "... Jane Doe/Getty Images"
)


def is_caption(line: str) -> bool:
    """Whether a line reads as a photo's caption or credit, a byline or a page's note, not the story's words."""
    line = line.strip()
    return bool(line) and ("toggle caption" in line.casefold()
                           or bool(_OPENS.match(line) or _PAGE.match(line) or _ENDS.search(line)))


def without_captions(text: str) -> str:
    """``text`` without the caption and credit lines it opens with (at most ``MAX_LINES``) and without an
    update mark before its first words ("Updated | The company said ..."), never emptied."""
    lines = text.split("\n")
    skip = 0
    while skip < min(MAX_LINES, len(lines) - 1) and is_caption(lines[skip]):
        skip += 1
    out = "\n".join(lines[skip:]).lstrip() if skip else text
    unmarked = _MARK.sub("", out, count=1)
    return unmarked if unmarked.strip() else out
