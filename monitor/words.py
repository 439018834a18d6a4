"""Words every stage shares: the English stop words the analysis and extraction leave out, and counted
nouns as every output writes them (pure, and light enough for the command line)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 outlet``, ``2 outlets``, ``1,234 articles``; ``many`` where adding an s is wrong."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


# Function words (and a few newsroom verbs) that say nothing about what an article is about.
STOP_WORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
    "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
    "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours", "yourself", "yourselves", "said", "says", "say", "new", "also",
    "one", "two",
])
