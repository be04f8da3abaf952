"""X12 code values the simulated payer answers with, defined once (scenarios, simulator and the app import them).

Where each value goes (docs/sources.md#x12-transactions-and-reason-codes):
- a 278 response that decides a request carries HCR01 (action) and, for adverse or partial decisions,
  HCR03 (the decision reason, X12 external code list 886);
- a 278 request that cannot be reviewed is answered with AAA segments instead of a decision:
  AAA03 the reject reason (element 901), AAA04 the follow-up action (element 889);
- a 271 eligibility reply reports coverage in EB segments (EB01 = 1 active, 6 inactive) and uses AAA
  only when the subscriber cannot be found;
- CARCs (claim adjustment reason codes) belong to the 835 claim remittance, not to the 278: the product
  shows them only as "the claim denial this becomes", labelled so.
"""

from __future__ import annotations

# HCR01 Certification Action Code (element 306) for each determination status. A rejected request and a
# dismissed appeal are not decisions: no HCR segment (None); rejections carry AAA segments instead.
ACTION_CODES: dict[str, str | None] = {
    "approved": "A1",
    "partially_approved": "A2",
    "denied": "A3",
    "pended": "A4",
    "no_auth_required": "NA",
    "rejected": None,
    "dismissed": None,
}

# Where a reason's code sits in the 278 reply, by the reason's kind: rejects in AAA03, adverse and partial
# decisions in HCR03; pends, dismissals and notes are free text (no segment).
REASON_SEGMENTS: dict[str, str] = {"reject": "AAA03", "denial": "HCR03", "partial": "HCR03"}

# AAA03 Reject Reason Code (element 901) values the payer's front end and eligibility edits use.
REJECT_REASONS: dict[str, str] = {
    "15": "Required application data missing",
    "33": "Input errors",
    "35": "Out of network",
    "41": "Authorization/access restrictions",  # extensions: no such approved authorization on file
    "43": "Invalid/missing provider identification",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date of birth",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "52": "Service dates not within plan enrollment",
    "AF": "Invalid/missing diagnosis code(s)",
    "AG": "Invalid/missing procedure code(s)",
}

# AAA04 Follow-up Action Code (element 889).
FOLLOW_UP_ACTIONS: dict[str, str] = {
    "C": "Please correct and resubmit",
    "N": "Resubmission not allowed",
    "R": "Resubmission allowed",
}

# HCR03 Health Care Services Review Decision Reason Codes (X12 external code list 886) the payer uses.
DECISION_REASONS: dict[str, str] = {
    "35": "Out of network",
    "41": "Authorization/access restrictions",
    "82": "Not medically necessary",
    "87": "Exceeds plan maximums",
    "89": "No prior approval",
    "90": "Requested information not received",
    "92": "Service inconsistent with diagnosis",
    "E8": "Requires medical review",
}

# EB01 Eligibility or Benefit Information Code (element 1390) the 271 reply uses.
ELIGIBILITY_CODES: dict[str, str] = {
    "1": "Active coverage",
    "6": "Inactive",
}

# CARC / RARC shown as "the claim denial this becomes" (835), never as the 278's reason.
CLAIM_CODES: dict[str, str] = {
    "CO-50": "Not deemed a medical necessity by the payer",
    "CO-167": "This (these) diagnosis(es) is (are) not covered",
    "CO-197": "Precertification/authorization/notification/pre-treatment absent",
    "CO-198": "Precertification/notification/authorization/pre-treatment exceeded",
    "CO-210": "Payment adjusted because pre-certification/authorization not received in a timely fashion",
    "CO-242": "Services not provided by network/primary care providers",
    "CO-288": "Referral absent",
    "N54": "Claim information is inconsistent with pre-certified/authorized services",
}
