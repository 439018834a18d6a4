"""The project's grouping of Giveme5W1H's 69 news-cluster events into kinds of news, for evaluation only.

Giveme5W1H's news cluster labels each article with its event and one of six broad sections. A monitor's
topics sit between the two: themes that hold several events of one kind (two plane crashes, four airline
rows, four North Korean launches). These kinds were made here by reading each event's headlines; an
event of no shared kind is a theme of its own. The grouping is the project's; the texts are the set's
(not shipped). ``real_sets.read_set(path, "newscluster-kinds")`` uses it: full articles, with names
and capitals, where the GoogleNews-TS siblings are lower-cased snippets.
"""

from __future__ import annotations

KINDS: dict[str, tuple[str, ...]] = {
    "airlines": ("10", "14", "38", "39"),  # leggings, G League blankets, flight into 2017, a bird on board
    "transport_accidents": ("2", "4", "35", "74"),  # cruise ship, subway trains, plane crash, tram derailment
    "space": ("18", "32", "46", "47", "48", "49"),  # Roadster to Mars, Angola's satellite, China's moon ...
    "sky": ("16", "33", "51"),  # a meteor, the month's sky, planets of another galaxy
    "earth_from_above": ("17", "31"),  # ocean smoke rings, the Antarctic iceberg
    "nfl": ("13", "30", "43", "44"),  # a game, a contract, a coach fired, a quarterback retires
    "baseball": ("15", "76"),
    "crypto": ("23", "63"),
    "north_korea": ("19", "34", "70", "71"),  # oil at sea, Olympics offer, a missile, a satellite
    "israel_palestine": ("3", "36"),
    "attacks": ("64", "68", "73"),  # Las Vegas, Nice, Mazar-i-Sharif
    "new_year_assaults": ("21", "69"),  # Cologne, and security for women a year on
    "new_year_celebrations": ("37", "42"),
    "celebrities": ("11", "12", "41", "54", "56"),
    "music": ("52", "55"),
    "screen": ("28", "53"),
    "gadgets": ("9", "58", "60"),  # a phone leaked, a phone camera chip, smart glasses
}
