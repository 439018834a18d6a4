"""The project's grouping of GoogleNews-TS's 152 events into 59 kinds of news, for evaluation only.

GoogleNews-TS labels same-event clusters only. A monitor's topics are themes that hold several events
of one kind (two earthquakes, two chip-export rules), so these kinds were made here by reading each
event's items: NFL games, NBA games, space launches, HIV research, smartphone launches ... The
grouping is the project's; the texts are the set's (not shipped). ``real_sets.read_set(path,
"googlenews-siblings")`` uses it to build themes of two sibling events each.
"""

from __future__ import annotations

KINDS: dict[str, tuple[int, ...]] = {
    "cj": (1,), "de": (2,), "ru": (3,), "th": (4,), "collapse": (5, 92), "pk": (6,), "spy": (7, 19, 146),
    "sco": (8,), "iq": (9,), "immig": (10, 147), "il": (11,), "af": (12,), "it": (13,), "car_afr": (14,),
    "pope": (15,), "storm": (16, 139), "trial": (17, 70, 151, 152, 20), "sy": (18,),
    "macro": (22, 23, 30, 39, 36), "cb": (26, 33), "shop": (21, 38, 47), "mkt": (24,), "irs": (25, 148),
    "deal": (27, 54, 55, 32), "earn": (29,), "spill": (28,), "buff": (31,), "bribe": (34,), "farm": (35,),
    "dog": (40,), "google": (41, 44, 49, 50, 52), "games": (42, 53, 37), "phones": (43, 45, 46, 48, 56),
    "gadget": (51, 58), "jury": (57,), "cars": (59,), "celeb": (60, 61, 65, 66, 76, 68, 77, 71, 63),
    "movies": (64, 67, 69, 72, 73), "dance": (62,), "holiday": (74, 132, 140), "auction": (75,),
    "nfl": (78, 89, 91, 93, 94, 95, 83, 86), "nba": (79, 80, 87, 90, 81), "ski": (82,), "nhl": (84, 85, 97),
    "mlb": (88,), "soccer": (96,), "space": (98, 101, 105, 106, 114, 116, 117),
    "nature": (99, 100, 103, 110, 112, 113, 115, 136), "climate": (102, 104), "robots": (107, 108, 109, 111),
    "health": (118, 119, 120, 121, 122, 124, 125, 126, 130, 133, 134), "hiv": (123, 127, 129, 131),
    "vacc": (128, 135), "smoke": (137,), "profiling": (138,), "sriracha": (141,),
    "crime": (142, 143, 144, 150, 149), "nyc": (145,),
}
