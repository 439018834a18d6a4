"""Script rules shared by every name matcher (watchlist and entities): CJK runs and Russian case endings.

CJK scripts do not separate words with spaces, so their names match as substrings. Russian nouns
change their ending with case (Сбербанк, Сбербанка, Сбербанком): a Cyrillic word of four letters or
more that ends in a consonant also matches with one of ``CASE_ENDINGS``.
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
INFLECTS = re.compile(r"[а-яё]{3}[бвгджзклмнпрстфхцчшщ]", re.IGNORECASE)  # ends in a Cyrillic consonant
CASE_ENDINGS = "ами|ями|ого|ему|ом|ем|ов|ев|ам|ям|ах|ях|ой|ей|ою|а|я|у|ю|е|ы|и"
