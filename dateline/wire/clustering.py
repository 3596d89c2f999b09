"""Near-duplicates and story clusters, in memory, shared by the desk and ``wire-cluster``.

Two levels:

* Near-duplicates: MinHash over word 3-grams with datasketch's LSH index. The same
  report arriving twice (a resend, a second feed of the same agency, a copy-edit)
  shows once on the desk.
* Story clusters: reports about the same event across agencies and days. An item joins
  the cluster it scores best against, if the score clears ``JOIN_THRESHOLD``:

      score = (W_TEXT * cosine(tf-idf of item, cluster centroid)
               + W_ENTITIES * overlap of named entities) * time decay

  and only when the cosine is at least ``MIN_TEXT``. Names and places alone are not
  enough (the same minister is in many stories): a report must also be written about
  the same thing. The names' overlap looks both ways, the report's names found in the
  cluster and the cluster's names found in the report, so that a cluster about one
  town does not take the same kind of news from another town because the two share an
  organisation. The time decay keeps an event from swallowing next week's different
  event in the same town. Candidates come from an inverted index of entities and rarer
  words, so each item is compared with a handful of clusters, not all of them.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import mul

import numpy as np
from datasketch import MinHash, MinHashLSH

from dateline.wire.textfeatures import NUM_PERM, entities, minhash, title_case, words
from dateline.wire.wirecopy import dateline_place, lead_place, without_status

DUPLICATE_THRESHOLD = 0.8
JOIN_THRESHOLD = 0.35
W_TEXT = 0.5
W_ENTITIES = 0.5
# Below this cosine a report does not join, whatever names it shares: the same people
# and town in another kind of news share their names and few words (a resignation and a
# grounding in one port, the same day: cosine 0.249; its names alone gave 0.35 of the
# 0.45 needed). On the tuning sets (bench/wire-clusters seeds 1-3) no report's cosine
# with its own event's cluster was under 0.25 (5 of 1,616 under 0.3), and 89 % of
# other events' clusters within reach were.
MIN_TEXT = 0.25
# A report filed from a town its would-be cluster never mentions (_place_agreement).
PLACE_PENALTY = 0.75
# Hours for the score to fall by a factor of e: an event's reports come within days.
DECAY_HOURS = 72.0
# Above 1, rare words (names, numbers, the odd detail) count for more than a kind of
# news's stock phrases: two floods share "residents" and "evacuated", not "Besk".
IDF_POWER = 1.0
CANDIDATE_KEYS = 12
CANDIDATE_NAMES = 8

# 1 + log(count) for the counts term weights meet most: a table is cheaper than the call.
_LOG_TF = [0.0] + [1 + math.log(c) for c in range(1, 256)]


def _log_tf(count: int) -> float:
    return _LOG_TF[count] if count < 256 else 1 + math.log(count)


@dataclass
class Document:
    key: str
    headline: str
    text: str
    when: datetime.datetime
    tokens: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    tf: Counter[str] = field(default_factory=Counter)
    place: str = ""


@dataclass
class Cluster:
    id: int
    members: list[str] = field(default_factory=list)
    tf: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None
    headline: str = ""
    norm: float = 0.0
    norm_at: tuple[int, int] = (-1, -1)
    # The sum of its names' weights (idf times how many of its reports name them),
    # cached like the norm.
    name_mass: float = 0.0
    name_mass_at: tuple[int, int] = (-1, -1)


# A doc's tf-idf weights (times idf once more), their norm, its names' weights and
# their sum.
Prepared = tuple[dict[str, float], float, dict[str, float], float]


@dataclass
class Assignment:
    key: str
    cluster: int
    duplicate_of: str | None
    score: float


class Clusterer:
    """Online clustering: feed items in time order; each is placed as it arrives."""

    def __init__(self, next_id: int = 1) -> None:
        self.lsh = MinHashLSH(threshold=DUPLICATE_THRESHOLD, num_perm=NUM_PERM)
        self.hashes: dict[str, MinHash] = {}
        self.cluster_of: dict[str, int] = {}
        self.clusters: dict[int, Cluster] = {}
        self.index: dict[str, set[int]] = defaultdict(set)
        self.df: Counter[str] = Counter()
        # The same document frequencies by term id, for numpy (see _norm).
        self.term_ids: dict[str, int] = {}
        self.df_array = np.zeros(4096, dtype=np.float64)
        self.name_df: Counter[str] = Counter()
        self.docs = 0
        self.next_id = next_id

    # Scoring ----------------------------------------------------------------------

    def idf(self, term: str) -> float:
        return (math.log((1 + self.docs) / (1 + self.df[term])) + 1.0) ** IDF_POWER

    def _idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """idf of many terms at once: the hot path of scoring, so without a call a term."""
        log, n, df = math.log, 1 + self.docs, self.df
        if IDF_POWER == 1.0:
            return {t: log(n / (1 + df[t])) + 1.0 for t in terms}
        return {t: (log(n / (1 + df[t])) + 1.0) ** IDF_POWER for t in terms}

    def name_idf(self, name: str) -> float:
        return math.log((1 + self.docs) / (1 + self.name_df[name])) + 1.0

    def _norm(self, cluster: Cluster) -> float:
        # A centroid's norm is cached until the cluster grows or the idf has moved on
        # (every 256 documents): recomputing it for every comparison was most of the cost.
        generation = (len(cluster.members), self.docs // 256)
        if cluster.norm_at != generation:
            # Centroids have hundreds of terms: numpy over the terms' ids, not a Python loop.
            tf = cluster.tf
            ids = np.fromiter(map(self.term_ids.__getitem__, tf), dtype=np.intp, count=len(tf))
            counts = np.fromiter(tf.values(), dtype=np.float64, count=len(tf))
            idf = np.log((1 + self.docs) / (1 + self.df_array[ids])) + 1.0
            if IDF_POWER != 1.0:
                idf **= IDF_POWER
            weights = (1 + np.log(counts)) * idf
            cluster.norm = math.sqrt(float(weights @ weights))
            cluster.norm_at = generation
        return cluster.norm

    def _name_mass(self, cluster: Cluster) -> float:
        generation = (len(cluster.members), self.docs // 256)
        if cluster.name_mass_at != generation:
            log, n, df = math.log, 1 + self.docs, self.name_df
            cluster.name_mass = sum(
                (log(n / (1 + df[name])) + 1.0) * count for name, count in cluster.names.items()
            )
            cluster.name_mass_at = generation
        return cluster.name_mass

    def _cosine(self, vector: dict[str, float], norm: float, cluster: Cluster) -> float:
        # ``vector`` holds the doc's weights times idf again, so a shared term's product
        # needs only the cluster's count. The shared terms are found, looked up and
        # multiplied in C (filter and map over C methods), in the doc's order as before.
        tf = cluster.tf
        shared = list(filter(tf.__contains__, vector))
        try:
            dot = sum(
                map(
                    mul,
                    map(vector.__getitem__, shared),
                    map(_LOG_TF.__getitem__, map(tf.__getitem__, shared)),
                )
            )
        except IndexError:  # a count past the table
            dot = sum(vector[t] * _log_tf(tf[t]) for t in shared)
        if not dot:
            return 0.0
        denominator = norm * self._norm(cluster)
        return dot / denominator if denominator else 0.0

    @property
    def reach_hours(self) -> float:
        """How far back a cluster can still be joined: where the decay alone sinks a score
        below the threshold (plus a day's slack for reports that arrive late)."""
        return DECAY_HOURS * math.log(1 / JOIN_THRESHOLD) + 24

    def decay(self, doc: Document, cluster: Cluster) -> float:
        hours = 0.0
        if cluster.last and cluster.first:
            if doc.when > cluster.last:
                hours = (doc.when - cluster.last).total_seconds() / 3600
            elif doc.when < cluster.first:
                hours = (cluster.first - doc.when).total_seconds() / 3600
        return math.exp(-hours / DECAY_HOURS)

    def prepare(self, doc: Document) -> Prepared:
        """What scoring needs of a doc, computed once however many clusters it meets."""
        idf = self._idfs(doc.tf)
        vector = {t: _log_tf(c) * idf[t] for t, c in doc.tf.items()}
        values = vector.values()
        norm = math.sqrt(sum(map(mul, values, values)))
        # Each weight times the idf again, so that a shared term needs only the
        # cluster's count (see _cosine).
        doubled = {t: w * idf[t] for t, w in vector.items()}
        # name_idf without a call a name.
        log, n, name_df = math.log, 1 + self.docs, self.name_df
        weights = {name: log(n / (1 + name_df[name])) + 1.0 for name in doc.names}
        return doubled, norm, weights, sum(weights.values())

    def score(self, doc: Document, cluster: Cluster, prepared: Prepared | None = None) -> float:
        decay = self.decay(doc, cluster)
        if decay < JOIN_THRESHOLD:
            return 0.0  # too far apart in time to join, however alike
        vector, norm, weights, total = prepared or self.prepare(doc)
        text = self._cosine(vector, norm, cluster) if norm else 0.0
        if text < MIN_TEXT:
            return 0.0  # names alone do not make the same story (see MIN_TEXT)
        score = W_TEXT * text + W_ENTITIES * self._name_overlap(weights, total, cluster)
        return score * decay * self._place_agreement(doc, cluster)

    @staticmethod
    def _place_agreement(doc: Document, cluster: Cluster) -> float:
        """1, or PLACE_PENALTY when the report was filed from a town the cluster never names.

        Two fires, two groundings, two bus crashes on one evening read alike but for the
        town; an agency filing the same event from the capital usually names the town
        it happened in, so a place the cluster's text contains is no conflict.
        """
        if not doc.place or not cluster.places or doc.place in cluster.places:
            return 1.0
        if all(part in cluster.tf for part in doc.place.split()):
            return 1.0
        return PLACE_PENALTY

    def _name_overlap(self, weights: dict[str, float], total: float, cluster: Cluster) -> float:
        """How far the report and the cluster name the same people, places and bodies.

        Names weighted by rarity: a town named in two reports says more than "Officials".
        Both ways, and their geometric mean: the share of the report's names found in
        the cluster, and the share of the cluster's names found in the report, each of
        those weighted by how many of the cluster's reports name it. One way only, a
        cluster that had gathered many names (or, once wrong, two events' names) met
        every newcomer's names; the town every one of its reports names, and the
        newcomer does not, now counts against it.
        """
        if not total:
            return 0.0
        # (Membership, not ``names[n]``: a Counter's miss is a Python call.)
        names = cluster.names
        shared = list(filter(names.__contains__, weights))
        if not shared:
            return 0.0
        found = sum(map(weights.__getitem__, shared)) / total
        mass = self._name_mass(cluster)
        covered = sum(map(mul, map(weights.__getitem__, shared), map(names.__getitem__, shared)))
        # The mass is cached for a while (see _name_mass), so this can pass 1 by a hair.
        return math.sqrt(found * min(1.0, covered / mass)) if mass else 0.0

    # Building -----------------------------------------------------------------------

    def document(
        self, key: str, headline: str, text: str, when: datetime.datetime, dateline: str = ""
    ) -> Document:
        # The headline counts twice: it is the densest statement of what happened.
        # Words never span the space between the parts, so each is split on its own.
        headline = without_status(headline)
        title = words(headline)
        tokens = title + title + words(text)
        return Document(
            key=key,
            headline=headline,
            text=text,
            when=when,
            tokens=tokens,
            names=entities(f"{headline}. {text}" if not title_case(headline) else text),
            tf=Counter(tokens),
            place=" ".join(words(dateline_place(dateline, text) or lead_place(headline, text))),
        )

    def _keys(self, doc: Document) -> list[str]:
        """Index keys for candidate lookup: names, and the doc's rarest words.

        Rarest first and alphabetical among equals: sorting alphabetically and then
        (stably) by frequency gives that order with keys looked up in C, not a lambda.
        """
        rare = sorted(sorted(doc.tf), key=self.df.__getitem__)[:CANDIDATE_KEYS]
        names = sorted(sorted(doc.names), key=self.name_df.__getitem__)[:CANDIDATE_NAMES]
        return [f"n:{n}" for n in names] + [f"w:{t}" for t in rare]

    def _learn(self, doc: Document) -> None:
        self.docs += 1
        # The doc's distinct terms are its tf's keys (a Counter of its tokens).
        terms = doc.tf.keys()
        self.df.update(terms)
        term_ids = self.term_ids
        for t in [t for t in terms if t not in term_ids]:
            term_ids[t] = len(term_ids)
        ids = list(map(term_ids.__getitem__, terms))
        if len(self.term_ids) > len(self.df_array):
            grown = np.zeros(2 * len(self.term_ids), dtype=np.float64)
            grown[: len(self.df_array)] = self.df_array
            self.df_array = grown
        self.df_array[ids] += 1
        self.name_df.update(doc.names)

    def _join(self, doc: Document, cluster: Cluster, keys: list[str] | None = None) -> None:
        cluster.members.append(doc.key)
        # Counting the tokens again is done in C; adding a Counter is a Python loop.
        cluster.tf.update(doc.tokens)
        cluster.names.update(doc.names)
        if doc.place:
            cluster.places[doc.place] += 1
        cluster.first = min(filter(None, (cluster.first, doc.when)))
        cluster.last = max(filter(None, (cluster.last, doc.when)))
        cluster.headline = cluster.headline or doc.headline
        self.cluster_of[doc.key] = cluster.id
        for key in self._keys(doc) if keys is None else keys:
            self.index[key].add(cluster.id)

    def add_known(self, doc: Document, cluster_id: int) -> None:
        """Put back an item already placed (from the database) without rescoring it."""
        self._learn(doc)
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            cluster = self.clusters[cluster_id] = Cluster(id=cluster_id)
            self.next_id = max(self.next_id, cluster_id + 1)
        self._join(doc, cluster)
        m = minhash(doc.tokens)
        if doc.key not in self.hashes:
            self.hashes[doc.key] = m
            self.lsh.insert(doc.key, m)

    def rename(self, old: int, new: int) -> None:
        """Give a cluster the id the database chose for it."""
        if old == new:
            return
        cluster = self.clusters.pop(old)
        cluster.id = new
        self.clusters[new] = cluster
        for key in cluster.members:
            self.cluster_of[key] = new
        for ids in self.index.values():
            if old in ids:
                ids.discard(old)
                ids.add(new)
        self.next_id = max(self.next_id, new + 1)

    def find_duplicate(self, doc: Document, m: MinHash) -> str | None:
        best, best_j = None, DUPLICATE_THRESHOLD
        for other in self.lsh.query(m):
            if other == doc.key:
                continue
            j = float(np.count_nonzero(m.hashvalues == self.hashes[other].hashvalues)) / NUM_PERM
            if j >= best_j:
                best, best_j = other, j
        return best

    def add(self, doc: Document) -> Assignment:
        """Place one new item: a duplicate joins its original's cluster, else the best one."""
        self._learn(doc)
        m = minhash(doc.tokens)
        duplicate = self.find_duplicate(doc, m) if doc.tokens else None
        if doc.key in self.hashes:
            # A new version of an item we hold: replace its fingerprint.
            self.lsh.remove(doc.key)
        self.hashes[doc.key] = m
        self.lsh.insert(doc.key, m)
        if duplicate is not None and duplicate in self.cluster_of:
            cluster = self.clusters[self.cluster_of[duplicate]]
            if doc.key not in cluster.members:
                self._join(doc, cluster)
            return Assignment(doc.key, cluster.id, duplicate, 1.0)
        if doc.key in self.cluster_of:
            # An update stays where its first version was put: editors already see it there.
            cluster = self.clusters[self.cluster_of[doc.key]]
            cluster.tf.update(doc.tf)
            cluster.names.update(doc.names)
            return Assignment(doc.key, cluster.id, None, 1.0)
        horizon = doc.when - datetime.timedelta(hours=self.reach_hours)
        keys = self._keys(doc)
        found = [ids for ids in map(self.index.get, keys) if ids]
        candidates: set[int] = set().union(*found)
        # Clusters too old to be joined leave the index for good: reports come in time
        # order, and the index would otherwise grow with every day's news. (Each cluster
        # is checked once, however many of the doc's keys lead to it.)
        clusters = self.clusters
        stale = {cid for cid in candidates if (clusters[cid].last or doc.when) < horizon}
        if stale:
            for ids in found:
                ids -= stale
            candidates -= stale
        best, best_score = None, JOIN_THRESHOLD
        prepared = self.prepare(doc)
        for cid in candidates:
            s = self.score(doc, self.clusters[cid], prepared)
            if s >= best_score:
                best, best_score = self.clusters[cid], s
        if best is None:
            best = self.clusters[self.next_id] = Cluster(id=self.next_id)
            self.next_id += 1
            best_score = 0.0
        # Nothing was learnt since the keys were chosen, so they are the same.
        self._join(doc, best, keys)
        return Assignment(doc.key, best.id, None, best_score)

    def add_all(self, docs: Iterable[Document]) -> list[Assignment]:
        return [self.add(d) for d in sorted(docs, key=lambda d: (d.when, d.key))]
