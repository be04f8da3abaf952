"""What a real payer can see of a case, and nothing more.

The pipeline takes a :class:`PayerView`, never a :class:`~scenarios.models.Case`, so it structurally cannot
read the answer key or a chart document the request did not attach: the member file (coverage), the
provider directory, the patient's demographics, the payer's manual, the request, and the documents
whose ids the request (or a later pend reply, appeal or peer-to-peer call) sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from knowledge_base.loader import Library
from knowledge_base.models import Manual
from scenarios.models import Case, ChartDocument, Coverage, Facility, Patient, Provider, Submission


class SimulatorError(ValueError):
    """A request the simulated payer cannot act on (e.g. an appeal without a denial); the message says why."""


@dataclass(frozen=True, slots=True)
class PayerView:
    case_id: str
    payer_id: str
    coverage: Coverage
    patient: Patient
    manual: Manual
    directory: dict[str, Provider | Facility]
    submission: Submission
    documents: tuple[ChartDocument, ...]
    unknown_document_ids: tuple[str, ...] = field(default=())

    @property
    def received_on(self) -> date:
        return self.submission.at.date()

    def provider(self, npi: str) -> Provider | Facility | None:
        return self.directory.get(npi)

    def specialty(self, npi: str) -> str | None:
        """The directory specialty of a provider; facilities have none."""
        found = self.directory.get(npi)
        return found.specialty if isinstance(found, Provider) else None

    def with_documents(self, document_ids: Iterable[str], chart: dict[str, ChartDocument]) -> PayerView:
        """The same view with more documents sent (pend reply, appeal); ``chart`` maps ids to documents."""
        return _attach(self, list(document_ids), chart)


def manual_for(library: Library, payer_id: str) -> Manual:
    manual = library.manuals.get(payer_id)
    if manual is None:
        raise SimulatorError(
            f"coverage.payer_id: no payer manual for {payer_id!r}; known payers: {sorted(library.manuals)}"
        )
    return manual


def chart_index(case: Case) -> dict[str, ChartDocument]:
    return {doc.id: doc for doc in case.chart}


def build_view(case: Case, submission: Submission, library: Library) -> PayerView:
    """The payer's view of ``submission`` on ``case``: only the attached documents are visible.

    Unknown attached ids are kept in ``unknown_document_ids`` so the front-end edits can reject them.
    """
    directory: dict[str, Provider | Facility] = {case.facility.npi: case.facility}
    # providers override a facility sharing an NPI: a person's specialty is what the rules need
    directory[case.servicing_provider.npi] = case.servicing_provider
    directory[case.ordering_provider.npi] = case.ordering_provider
    base = PayerView(
        case_id=case.case_id,
        payer_id=case.coverage.payer_id,
        coverage=case.coverage,
        patient=case.patient,
        manual=manual_for(library, case.coverage.payer_id),
        directory=directory,
        submission=submission,
        documents=(),
    )
    return _attach(base, submission.document_ids, chart_index(case))


def _attach(view: PayerView, ids: list[str], chart: dict[str, ChartDocument]) -> PayerView:
    docs = {d.id: d for d in view.documents}
    unknown = list(view.unknown_document_ids)
    for doc_id in ids:
        if doc_id in docs:
            continue
        doc = chart.get(doc_id)
        if doc is None:
            if doc_id not in unknown:
                unknown.append(doc_id)
        else:
            docs[doc_id] = doc
    return PayerView(
        case_id=view.case_id,
        payer_id=view.payer_id,
        coverage=view.coverage,
        patient=view.patient,
        manual=view.manual,
        directory=view.directory,
        submission=view.submission,
        documents=tuple(docs.values()),
        unknown_document_ids=tuple(unknown),
    )
