"""The X12 278 view of a request: the segments of the patient event and service levels a payer reads.

A trainee sees what the payer receives. Only the segments that carry what a request states are shown
(no envelope, no names loops), in the layout of the ASC X12N 005010X217 278 request TR3
(docs/sources.md#x12-transactions-and-reason-codes):

- loop 2000E patient event: ``UM`` (UM01 request category: ``HS`` health services review or ``AR``
  admission review; UM02 ``I`` initial; UM03 service type, ``48`` hospital inpatient for an admission,
  ``1`` medical care otherwise; UM04 facility type as a place-of-service code with qualifier ``B``),
  ``HI`` diagnoses (``ABK`` principal, ``ABF`` other ICD-10-CM), and for an admission review
  ``DTP*435`` the admission date, ``HSD*DY`` the inpatient days requested and ``CL1`` the admission
  type (UB-04 type of admission: 1 emergency, 2 urgent, 3 elective);
- loop 2000F service, one per procedure line: ``SV1`` (``HC`` CPT/HCPCS code with its modifiers,
  ``UN`` units) and ``DTP*472`` the service date; for a service review ``HSD*DY`` carries a requested
  period in days.

>>> from datetime import date, datetime
>>> sub = Submission(at=datetime(2026, 3, 2, 9), category="admission", admission_type="elective",
...     member_id="LKS123456789", patient_last_name="Reyes", patient_dob=date(1960, 1, 1),
...     ordering_npi="1234567893", servicing_npi="1234567893", diagnoses=["I48.19"], procedures=[],
...     date_of_service=date(2026, 3, 16), place_of_service="21", requested_duration_days=3)
>>> print(render_278(sub))
UM*AR*I*48*21:B~
HI*ABK:I4819~
DTP*435*D8*20260316~
HSD*DY*3~
CL1*3~
"""

from __future__ import annotations

from scenarios.models import Submission

# UB-04 type of admission (CL101)
ADMISSION_TYPE_CODES = {"emergency": "1", "urgent": "2", "elective": "3"}
# UM01 request category
REQUEST_CATEGORY = {"service": "HS", "admission": "AR"}
# UM03 service type (X12 code source 958): hospital inpatient for an admission, medical care otherwise
SERVICE_TYPE = {"service": "1", "admission": "48"}


def segments(sub: Submission) -> list[str]:
    """The request's 278 segments, in order, without terminators."""
    place = sub.place_of_service or ""
    um = f"UM*{REQUEST_CATEGORY[sub.category]}*I*{SERVICE_TYPE[sub.category]}" + (
        f"*{place}:B" if place else ""
    )
    out = [um]
    dx = [d.replace(".", "").strip().upper() for d in sub.diagnoses if d.strip()]
    if dx:
        out.append("HI*" + "*".join(f"{'ABK' if i == 0 else 'ABF'}:{d}" for i, d in enumerate(dx)))
    day = sub.date_of_service.strftime("%Y%m%d")
    if sub.admission:
        out.append(f"DTP*435*D8*{day}")
        if sub.requested_duration_days is not None:
            out.append(f"HSD*DY*{sub.requested_duration_days}")
        if sub.admission_type is not None:
            out.append(f"CL1*{ADMISSION_TYPE_CODES[sub.admission_type]}")
    for line in sub.procedures:
        code = ":".join(["HC", line.code.strip().upper(), *line.modifiers])
        out += [f"SV1*{code}**UN*{line.units}", f"DTP*472*D8*{day}"]
    if not sub.admission and sub.requested_duration_days is not None:
        out.append(f"HSD*DY*{sub.requested_duration_days}")
    return out


def render_278(sub: Submission) -> str:
    """The segments one per line, each ending with the ``~`` segment terminator."""
    return "".join(f"{s}~\n" for s in segments(sub)).rstrip("\n")
