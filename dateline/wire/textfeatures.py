"""What clustering reads from a report: folded words, names, and a MinHash signature.

Shared by the story clusters and the near-duplicate check (clustering.py).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np
from anyascii import anyascii
from datasketch import LeanMinHash, MinHash

# The MinHash signature's size: permutations per report.
NUM_PERM = 64

STOPWORDS = frozenset(
    """a about after again against all also an and any are as at be because been before
    being between both but by can could did do does during each few for from further had
    has have he her here hers him his how i if in into is it its itself just me more most
    my no nor not now of off on once only or other our out over own same she should so
    some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your said says say told according new one two three four five six seven
    eight nine ten first last year years week day days monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december mr mrs ms dr""".split()  # noqa: SIM905
)
# Capitalised words that start sentences or datelines rather than name anything.
NOT_NAMES = STOPWORDS | {"reuters", "update", "updated", "breaking", "correction"}

_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*[a-z0-9]|[a-z0-9]")
_NAME = re.compile(r"\b[A-Z][a-zA-Z\-']+(?:\s+(?:of\s+|de\s+|van\s+)?[A-Z][a-zA-Z\-']+)*")


def fold(text: str) -> str:
    """Text with every letter in plain ASCII: "Skärvik", "Skarvik" and "Skaervik" meet.

    Agencies spell names with their diacritics, without them, or transliterated the
    German way (ä as ae, å as aa); anyascii (Wagtail's own dependency) drops the marks,
    and the vowel pairs German transliteration writes are folded to their first letter.
    Applied to every word alike, so a folded common word only ever meets itself.
    """
    return _VOWEL_PAIRS.sub(_first_letter, text if text.isascii() else anyascii(text))


_VOWEL_PAIRS = re.compile(r"(?i)a[ea]|[ou]e")


def _first_letter(match: re.Match[str]) -> str:
    return match.group(0)[0]


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text).lower()) if w not in STOPWORDS and len(w) > 1]


def entities(text: str) -> set[str]:
    """Names of people, places and organisations: runs of capitalised words.

    Crude, but agency copy capitalises names consistently, and a wrong guess costs
    little because entities are only half of the score. A single capitalised word that
    opens a sentence ("Residents", "Officials") is a name only if it is capitalised
    somewhere else too: otherwise every flood story would share the name "Residents".
    A sentence opens at the start, after a full stop, a line break or a colon (the
    kicker in "UPDATE: Power cut leaves..."), and inside an opening quotation mark
    ('"Every bridge...'): those first words are capitalised by grammar, not as names.
    """
    found = set()
    opening = set()
    text = fold(text)
    for match in _NAME.finditer(text):
        key, surname = _name_key(match.group(0))
        if not key:
            continue
        if not surname and _opens_sentence(text, match.start()):
            opening.add(key)
            continue
        found.add(key)
        if surname:
            # "Premier Ilse Varga" and "Varga" should meet: the surname counts too.
            found.add(surname)
    return found | {name for name in opening if name in found}


def title_case(headline: str) -> bool:
    """Whether a headline capitalises its words by house style ("Storm Hits the Coast").

    Then its capitals say nothing about names, and reading them as names gives every
    such report a set of names no other agency's report of the event has.
    """
    longer = [w for w in headline.split() if len(w) > 3 and w[0].isalpha()]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) >= 0.8 * len(longer)


_OPENERS = (".", "!", "?", ":", "\n")


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (quotation marks and spaces aside)."""
    before = text[max(0, start - 4) : start].rstrip(" \t\"'\u201c\u2018(")
    return not before or before.endswith(_OPENERS)


@lru_cache(maxsize=1 << 16)
def _name_key(name: str) -> tuple[str, str]:
    """A run of capitalised words as a name key and, for several words, the surname.

    Cached: the same names recur through a day's reports.
    """
    parts = [p for p in name.split() if p.lower() not in NOT_NAMES]
    if not parts:
        return "", ""
    return " ".join(parts).lower(), parts[-1].lower() if len(parts) > 1 else ""


# MinHash of word 3-grams, computed here with numpy rather than datasketch's update_batch:
# hashing each 3-gram's bytes with sha1 in a Python call was a third of clustering's time.
# A word's hash is looked up once (words repeat; 3-grams much less), a 3-gram's hash is
# mixed from its three words' hashes with numpy, and the permutations are datasketch's
# own "affine32" ones (a * h + b mod 2^32, a odd) over the mixed value.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=7).permutations
_A, _B = (np.asarray(p, dtype=np.uint32) for p in _PERMUTATIONS)
# Odd multipliers for the first and second word, so "a b c" and "b a c" differ.
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
# MurmurHash3's 64-bit finalizer: every input bit reaches every output bit.
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def gram_hashes(tokens: list[str]) -> np.ndarray:
    """32-bit hashes of the word 3-grams (one of the whole text when it is shorter)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    h = np.fromiter(map(_word_hash, tokens), dtype=np.uint64, count=len(tokens))
    if len(h) < 3:
        h = np.concatenate([h, np.zeros(3 - len(h), dtype=np.uint64)])
    grams = h[:-2] * _K1 + h[1:-1] * _K2 + h[2:]  # wraps around 2^64, as intended
    shift, m1, m2 = _FMIX
    grams ^= grams >> shift
    grams *= m1
    grams ^= grams >> shift
    grams *= m2
    grams ^= grams >> shift
    return (grams >> np.uint64(32)).astype(np.uint32)


_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def minhash(tokens: list[str]) -> MinHash:
    grams = gram_hashes(tokens)
    # Every permutation of every 3-gram at once (wrapping around 2^32), then each
    # permutation's minimum. A lean MinHash: it is never updated, only compared.
    values = (grams[:, None] * _A + _B).min(axis=0) if len(grams) else _EMPTY
    return LeanMinHash(seed=7, hashvalues=values, scheme="affine32")
