"""Survey scores: CSAT as top-2-box, NPS as promoters minus detractors, and what is unhappy."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from attrs import frozen

from walletcare.domain.followups.values import Survey, TriggerPolicy

__all__ = ["SurveyReport", "is_unhappy", "report"]


def is_unhappy(survey: Survey, score: int, policy: TriggerPolicy) -> bool:
    """A CSAT at or below ``unhappy_csat``, an NPS detractor (at or below ``unhappy_nps``),
    or "not me" on a confirmation."""
    if survey is Survey.CSAT:
        return score <= policy.unhappy_csat
    if survey is Survey.NPS:
        return score <= policy.unhappy_nps
    return score == 0


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


@frozen(kw_only=True)
class SurveyReport:
    """Survey results: counts and the two scores (None where there were no answers).

    ``csat``: the share of CSAT answers that are 4 or 5, in percent (top-2-box). ``nps``:
    percent promoters (9-10) minus percent detractors (0-6), from -100 to +100.
    """

    csat_answers: int
    csat_satisfied: int
    csat: Decimal | None
    nps_answers: int
    promoters: int
    detractors: int
    nps: Decimal | None


def report(answers: Iterable[tuple[Survey, int]]) -> SurveyReport:
    """The report of a set of ``(survey, score)`` answers."""
    csat_n = satisfied = nps_n = promoters = detractors = 0
    for survey, score in answers:
        if survey is Survey.CSAT:
            csat_n += 1
            satisfied += score >= 4
        elif survey is Survey.NPS:
            nps_n += 1
            promoters += score >= 9
            detractors += score <= 6
    nps = None
    if nps_n:
        nps = (Decimal(100 * (promoters - detractors)) / nps_n).quantize(
            Decimal("0.1"), ROUND_HALF_EVEN
        )
    return SurveyReport(
        csat_answers=csat_n,
        csat_satisfied=satisfied,
        csat=_percent(satisfied, csat_n),
        nps_answers=nps_n,
        promoters=promoters,
        detractors=detractors,
        nps=nps,
    )
