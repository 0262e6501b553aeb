"""Text similarity for complaints without structured codes: shingles, MinHash and LSH buckets.

English (and any Latin-script text) is shingled into words; Chinese, which has no spaces,
into overlapping character pairs. MinHash estimates the Jaccard similarity of two shingle
sets from 64 minimums; banding the signature (32 bands of 2) finds the earlier complaints a
new one may resemble in constant time, and only those are compared. Numbers are left out:
amounts, dates and references differ from customer to customer, not from cause to cause.
A text joins a cluster when it is alike to one of its members and, on average, not unlike
its latest few: otherwise two causes bursting at once chain together through one text that
shares a merchant's name or a stock phrase with the other cause.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from datetime import datetime, timedelta

__all__ = ["SIGNATURE_SIZE", "shingles", "signature", "similarity", "TextClusters"]

SIGNATURE_SIZE = 128
BANDS = 64
ROWS = SIGNATURE_SIZE // BANDS


_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1


def _coefficients(count: int) -> tuple[tuple[int, int], ...]:
    """Fixed hash coefficients from a fixed seed: every process computes the same ones."""
    state, found = 0x2545F4914F6CDD1D, []
    for _ in range(count):
        pair = []
        for _ in range(2):
            # xorshift64*: deterministic, so signatures agree across processes and restarts.
            state ^= (state >> 12) & ((1 << 64) - 1)
            state ^= (state << 25) & ((1 << 64) - 1)
            state ^= state >> 27
            state &= (1 << 64) - 1
            pair.append((state * 0x2545F4914F6CDD1D) % _PRIME or 1)
        found.append((pair[0], pair[1]))
    return tuple(found)


_COEFFICIENTS = _coefficients(SIGNATURE_SIZE)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_STOP_HAN = frozenset("的了我是在就都也还和被把你您请吗呢吧啊")
_ENDINGS = ("ing", "ed", "es", "s")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "my",
        "i",
        "me",
        "is",
        "was",
        "it",
        "at",
        "this",
        "that",
        "with",
        "be",
        "have",
        "has",
        "had",
        "not",
        "no",
        "but",
        "from",
        "by",
        "are",
        "were",
        "you",
        "your",
        "we",
        "our",
    ]
)


def shingles(text: str) -> frozenset[str]:
    """The shingles of a text: lower-case words (no stop words, no numbers), and pairs of
    Chinese characters."""
    found: set[str] = set()
    for run in _HAN.findall(text):
        found.update(c for c in run if c not in _STOP_HAN)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    rest = _HAN.sub(" ", text).lower()
    found.update(_stem(w) for w in _WORD.findall(rest) if w not in _STOP)
    return frozenset(found)


def _stem(word: str) -> str:
    """A word without its commonest English endings: "crashes", "crashed", "crashing" and
    "crash" say the same thing in complaints."""
    if len(word) > 4:
        for ending in _ENDINGS:
            if word.endswith(ending):
                return word[: -len(ending)]
    return word


def signature(found: frozenset[str]) -> tuple[int, ...]:
    """The MinHash signature of a shingle set (all zeros for an empty set)."""
    if not found:
        return (0,) * SIGNATURE_SIZE
    hashes = [zlib.crc32(s.encode("utf-8")) & _MASK for s in found]
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFICIENTS)


def similarity(one: tuple[int, ...], other: tuple[int, ...]) -> float:
    """The estimated Jaccard similarity of the sets behind two signatures."""
    return sum(x == y for x, y in zip(one, other, strict=True)) / SIGNATURE_SIZE


SAMPLE = 8
"""How many of a cluster's latest texts a joining text is compared with."""
GATE = 0.5
"""A joining text's mean similarity to those latest texts is at least this share of the
similarity bar: alike to one member and not unlike the rest of the cluster."""


class _Cluster:
    __slots__ = ("born", "latest", "parent", "seen")

    def __init__(self, born: int, seen: datetime) -> None:
        self.born, self.seen = born, seen
        self.parent: str | None = None
        self.latest: deque[tuple[int, ...]] = deque(maxlen=SAMPLE)

    def likeness(self, sig: tuple[int, ...]) -> tuple[float, float]:
        """The best and the mean similarity of ``sig`` to the cluster's latest texts."""
        latest = self.latest
        if not latest:
            return 0.0, 0.0
        scores = [similarity(sig, other) for other in latest]
        return max(scores), sum(scores) / len(scores)


class TextClusters:
    """Assigns each text to a cluster of alike earlier texts seen within ``window``, or to a
    new cluster named after it.

    A text alike to two clusters (at least ``merge`` to each) shows they are one: the
    younger is absorbed into the older, its name an alias. Streaming: a text costs its
    signature and a look-up per band; buckets and clusters not seen within the window are
    dropped as time moves on.
    """

    def __init__(self, *, window: timedelta, threshold: float, merge: float = 1.0) -> None:
        self.window = window
        self.threshold = threshold
        self.merge = max(merge, threshold)
        self._buckets: dict[tuple[int, tuple[int, ...]], tuple[str, tuple[int, ...], datetime]] = {}
        self._filed: deque[tuple[datetime, tuple[int, tuple[int, ...]]]] = deque()
        self._clusters: dict[str, _Cluster] = {}
        self._count = 0

    def root(self, name: str) -> str:
        """The cluster ``name`` was absorbed into, if it was (itself otherwise)."""
        clusters = self._clusters
        found = clusters.get(name)
        while found is not None and found.parent is not None:
            name = found.parent
            found = clusters.get(name)
        return name

    def assign(self, key: str, text: str, at: datetime) -> tuple[str, tuple[str, ...]]:
        """The cluster ``text`` (known as ``key``) joins, and the clusters it joined into it."""
        self._expire(at)
        sig = signature(shingles(text))
        if not any(sig):
            return key, ()
        bands = [(b, sig[b * ROWS : (b + 1) * ROWS]) for b in range(BANDS)]
        clusters = self._clusters
        near: dict[str, float] = {}
        for band in bands:
            found = self._buckets.get(band)
            if found is None:
                continue
            cluster = self.root(found[0])
            score = similarity(sig, found[1])
            if score >= self.threshold and score > near.get(cluster, 0.0):
                near[cluster] = score
        alike: dict[str, float] = {}
        for cluster, score in near.items():
            held = clusters.get(cluster)
            # Alike to one member, and not unlike the rest: one look-alike (a shared
            # merchant name, a stock phrase) does not pull a text into another cause.
            if held is None or held.likeness(sig)[1] >= self.threshold * GATE:
                alike[cluster] = score
        absorbed: tuple[str, ...] = ()
        if not alike:
            self._count += 1
            best = key
            clusters[key] = _Cluster(self._count, at)
        else:
            best = max(alike, key=lambda c: alike[c])
            absorbed = self._join(best, alike)
            if absorbed:
                best = min((best, *absorbed), key=self._age)
                absorbed = tuple(
                    c for c in (max(alike, key=lambda c: alike[c]), *absorbed) if c != best
                )
                for other in absorbed:
                    clusters[other].parent = best
            chosen = clusters.pop(best, None) or _Cluster(0, at)
            chosen.seen = at
            for other in absorbed:
                chosen.latest.extend(clusters[other].latest)
            clusters[best] = chosen  # re-inserted last: ordered by last use
        clusters[best].latest.append(sig)
        for band in bands:
            self._buckets[band] = (best, sig, at)
            self._filed.append((at, band))
        return best, absorbed

    def _age(self, name: str) -> int:
        found = self._clusters.get(name)
        return found.born if found is not None else 0

    def _join(self, best: str, alike: dict[str, float]) -> tuple[str, ...]:
        """The other clusters the text shows to be ``best``'s: those it is very alike to.

        The bar is higher than for joining one cluster: joining on the looser one chains
        unrelated causes together through their shared words."""
        clusters = self._clusters
        return tuple(
            c for c, score in alike.items() if c != best and score >= self.merge and c in clusters
        )

    def _expire(self, at: datetime) -> None:
        horizon = at - self.window
        filed, buckets = self._filed, self._buckets
        while filed and filed[0][0] < horizon:
            when, band = filed.popleft()
            held = buckets.get(band)
            if held is not None and held[2] == when:
                del buckets[band]
        clusters = self._clusters
        while clusters:
            oldest = next(iter(clusters))
            if clusters[oldest].seen >= horizon:
                return
            del clusters[oldest]

    @property
    def size(self) -> int:
        """How many buckets and clusters are held."""
        return len(self._buckets) + len(self._clusters)
