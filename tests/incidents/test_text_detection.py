"""Text similarity finds the clusters of a labelled synthetic zh/en corpus: precision and
recall of the pairs it puts in one incident, printed, each at least 0.9."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from tests.incidents.builders import T0
from tests.incidents.corpus import Labelled, build
from walletcare.domain.incidents import Detector, IncidentPolicy, TextPattern

POLICY = IncidentPolicy(text=(TextPattern(name="text", window=timedelta(hours=2), threshold=10),))


def _incidents(corpus: list[Labelled]) -> dict[str, str]:
    """Each complaint's incident, as the service links them: a crossing opens the cluster's
    incident with the window's members, later complaints of the cluster join it."""
    detector = Detector(POLICY)
    incident_of: dict[str, str] = {}
    opened: dict[str, str] = {}
    for item in corpus:
        for sighting in detector.observe(item.signal):
            incident = next(
                (opened[c] for c in (sighting.cluster, *sighting.absorbed) if c in opened), None
            )
            if incident is None and sighting.crossed:
                incident = opened[sighting.cluster] = sighting.cluster
            if incident is not None:
                opened.setdefault(sighting.cluster, incident)
                for member in sighting.crossed or (sighting.signal,):
                    incident_of.setdefault(member.complaint_id, incident)
    return incident_of


def _pairs(groups: Counter[tuple[str, ...]]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


@pytest.mark.parametrize("seed", [1, 5, 7, 11, 12, 17, 23, 42])
def test_text_clusters_of_the_corpus_have_precision_and_recall_of_at_least_0_9(seed: int) -> None:
    """Pairs of complaints put in one incident: at least 90 % truly share a root cause and
    language (precision), and at least 90 % of such pairs are found (recall)."""
    corpus = build(T0, seed=seed)
    assert len(corpus) >= 2000
    assert {c.truth.rsplit("/", 1)[-1] for c in corpus if c.truth} == {"en", "zh"}
    found = _incidents(corpus)
    predicted = Counter(
        (found[c.signal.complaint_id],) for c in corpus if c.signal.complaint_id in found
    )
    truth = Counter((c.truth,) for c in corpus if c.truth)
    both = Counter(
        (found[c.signal.complaint_id], c.truth)
        for c in corpus
        if c.truth and c.signal.complaint_id in found
    )
    true_pairs = _pairs(both)
    precision = true_pairs / _pairs(predicted)
    recall = true_pairs / _pairs(truth)
    print(
        f"\ntext detection, seed {seed}, {len(corpus)} complaints ({len(truth)} true clusters): "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.9
    assert recall >= 0.9
