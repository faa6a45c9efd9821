"""Typos in a search: « assocation », « musqiue », « jardn » find nothing as typed. When a text finds
no organisation, each of its words the directory does not use is replaced by the word at one
keystroke from it (a letter missing, extra, wrong, or two letters swapped: Damerau distance 1)
that the most organisations use, and the search is run again with the corrected text.

The words are those of the public organisations' names, acronyms and activities (`SearchWord`,
folded: lower case, without accents), with how many organisations use each and its most frequent
written form. The list is rebuilt whole (`services.rebuild_search_words`: nightly timer, after a
SIRENE import, by the demo): a word that appeared since is only not offered as a correction yet.

A word is looked up with all its neighbours in one query on the words' primary key (about 55
candidates per letter of the word), on both databases.
"""

import re

from django.db.models import QuerySet

from essor.core.formats import without_accents
from essor.directory.search import _TERM, search_terms

# Shorter words have too many neighbours (« cub » is one keystroke from club, cube, cuba…).
MIN_LENGTH = 4
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MAX_WORD_LENGTH = 100
_FOLDED = re.compile(rf"[a-z]{{2,{MAX_WORD_LENGTH}}}")


def fold(word: str) -> str:
    """`word` in lower case, without accents (« Théâtre » gives « theatre »), as the full-text
    indexes compare words."""
    return without_accents(word.lower())


def words_of(text: str) -> dict[str, str]:
    """The words of `text` worth offering as corrections, folded, with their written form in lower
    case: two letters or more, of the Latin alphabet once folded (no digit, no « œ »)."""
    words = {}
    for word in _TERM.findall(text or ""):
        folded = fold(word)
        if _FOLDED.fullmatch(folded):
            words.setdefault(folded, word.lower())
    return words


def neighbours(word: str) -> set[str]:
    """The words at one keystroke from `word` (folded): a letter deleted, two neighbouring
    letters swapped, a letter replaced or inserted."""
    splits = [(word[:index], word[index:]) for index in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaced = {left + letter + right[1:] for left, right in splits if right for letter in ALPHABET}
    inserted = {left + letter + right for left, right in splits for letter in ALPHABET}
    return (deleted | swapped | replaced | inserted) - {word}


def corrected_text(text: str, vocabulary: QuerySet) -> str:
    """`text` with each word the directory does not use (of MIN_LENGTH letters or more) replaced
    by its most used neighbour, written as the directory writes it; "" when nothing was
    corrected. `vocabulary` is `SearchWord.objects` (one query)."""
    terms = search_terms(text)
    folded = [fold(term) for term in terms]
    candidates = {word: neighbours(word) for word in folded if len(word) >= MIN_LENGTH}
    if not candidates:
        return ""
    wanted = set(candidates) | set().union(*candidates.values())
    known = {
        word: (organisations, spelling)
        for word, spelling, organisations in vocabulary.filter(word__in=wanted).values_list(
            "word", "spelling", "organisations"
        )
    }
    corrected, changed = [], False
    for term, word in zip(terms, folded, strict=True):
        if word in known or word not in candidates:
            corrected.append(term)
            continue
        found = [(known[near][0], near) for near in candidates[word] if near in known]
        if not found:
            corrected.append(term)
            continue
        # The most used neighbour; between equals, the first in alphabetical order.
        _count, best = min(found, key=lambda item: (-item[0], item[1]))
        corrected.append(known[best][1])
        changed = True
    return " ".join(corrected) if changed else ""
