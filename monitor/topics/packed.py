"""Texts held as UTF-8 while a long job keeps them for a later step.

A topic fit reads each article's text when it starts (the words read, the order of the articles) and
again only at its end, for the topics' labels and headlines; between the two it holds the texts while
UMAP and c-TF-IDF build their own large matrices. A Python string takes two bytes per character as soon
as it holds one character beyond Latin-1, and most news texts hold a typographic quote or dash: at 50,000
news-length articles the texts are 0.37 GB as strings and 0.19 GB as UTF-8. ``Packed`` is a sequence of
those texts that decodes each one when it is read; it pickles as it is held, so a helper process is sent
the encoded texts. (Compressed with zlib at its fastest level they were 0.10 GB, but packing took 2.8 s
against 0.2 s.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import overload

SURROGATES = "surrogatepass"  # a lone surrogate, which a string can hold and strict UTF-8 cannot, comes back too


class Packed(Sequence[str]):
    """Texts, each kept as UTF-8 and decoded when read."""

    def __init__(self, packed: list[bytes]) -> None:
        self.packed = packed

    @classmethod
    def of(cls, texts: Iterable[str]) -> Packed:
        return cls([text.encode("utf-8", SURROGATES) for text in texts])

    def __len__(self) -> int:
        return len(self.packed)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return Packed(self.packed[index])
        return self.packed[index].decode("utf-8", SURROGATES)
