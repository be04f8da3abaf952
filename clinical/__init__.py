"""The clinical claim checker: one tool every judge calls (grading, the assistant's guards).

Layer 1 (beside scenarios): it reads cases and imports only knowledge_base and scenarios.

    from clinical import ClaimChecker, extract_claims, normalize
    checker = ClaimChecker.for_case(case)
    for finding in checker.check(narrative):
        ...  # finding.verdict: supported | contradicted | unsupported | policy_text

See docs/grading.md, "Claim checking", for what each part catches and misses.
"""

from clinical.checker import ClaimChecker
from clinical.extract import extract_claims
from clinical.models import Claim, ClaimKind, Evidence, Finding, Source, Verdict
from clinical.normalize import normalize
from clinical.sources import case_sources

__all__ = [
    "Claim",
    "ClaimChecker",
    "ClaimKind",
    "Evidence",
    "Finding",
    "Source",
    "Verdict",
    "case_sources",
    "extract_claims",
    "normalize",
]
