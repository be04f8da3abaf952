"""Fictional people and organizations of a case: patient, providers, facility, member-file coverage.

Names and addresses come from one process-wide ``Faker("en_US")`` re-seeded per case
(``seed_instance``; never the class-level ``Faker.seed``, which would leak between cases). Creating a
Faker is slow, so it is made once; a lock keeps seed-then-draw atomic when Streamlit's threads
generate cases at the same time. Every other draw uses the case's ``random.Random``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Literal

from faker import Faker

from knowledge_base.models import Manual
from scenarios.identity import (
    fictional_phone,
    make_digits,
    make_mbi,
    make_member_id,
    make_npi,
    member_id_typo,
)
from scenarios.models import Address, Coverage, Facility, Patient, Provider
from scenarios.rendering import specialty_label

_FAKER: Faker | None = None
_FAKER_LOCK = threading.Lock()

CREDENTIALS: dict[str, tuple[str, ...]] = {
    "family_medicine": ("MD", "DO", "NP", "PA-C"),
    "internal_medicine": ("MD", "DO", "NP"),
    "physical_therapy": ("PT, DPT",),
    "occupational_therapy": ("OTR/L",),
    "psychology": ("PhD", "PsyD"),
    "counseling": ("LCSW", "LPC"),
    "social_work": ("LCSW",),
    "respiratory_therapy": ("RRT",),
    "dme_supplier": ("RRT", "ATP"),
    "pharmacy": ("PharmD",),
    "nursing": ("RN",),
}
PRIMARY_CARE = frozenset({"family_medicine", "internal_medicine", "general_practice", "pediatrics"})
AUTHOR_ROLES: dict[str, str] = {  # document author role -> credentials of the Faker-named author
    "therapist": "PT, DPT",
    "radiologist": "MD",
    "lab": "MLS(ASCP)",
    "pharmacist": "PharmD",
    "other": "RN",
}
STATES = ("IL", "WI", "MI", "MN", "IA", "IN", "OH")  # the fictional payers' Great Lakes and prairie region
FACILITY_KINDS: dict[str, tuple[str, ...]] = {
    "11": ("Medical Group", "Family Clinic"),
    "12": ("Home Medical Supply", "Home Respiratory Services"),
    "21": ("Memorial Hospital", "Regional Medical Center"),
    "22": ("Regional Medical Center", "Community Hospital"),
    "24": ("Surgery Center", "Ambulatory Surgery Center"),
    "55": ("Recovery Center", "Residential Treatment Center"),
}


def _faker() -> Faker:
    global _FAKER
    if _FAKER is None:
        # use_weighting=False draws names uniformly instead of by census frequency: several times faster
        # (the weighted draw rebuilds a cumulative table per call) and just as fictional.
        _FAKER = Faker("en_US", use_weighting=False)
    return _FAKER


@contextmanager
def seeded_faker(seed: int) -> Iterator[Faker]:
    """The shared Faker, re-seeded for one case and held exclusively while the case draws from it."""
    with _FAKER_LOCK:
        fake = _faker()
        fake.seed_instance(seed)
        yield fake


def _address(fake: Faker, state: str) -> Address:
    return Address(
        street=fake.street_address(), city=fake.city(), state=state, zip=fake.zipcode_in_state(state)
    )


def age_range(patient_ages: tuple[int, int], plan_type: str) -> tuple[int, int]:
    """The service line's typical ages (its ``patient_ages``), narrowed by who the plan covers: Medicare
    Advantage members are 65 or older, Medicaid adults under 65 here."""
    lo, hi = patient_ages
    if plan_type == "medicare_advantage_hmo":
        lo = max(lo, 65)
        hi = max(hi, lo + 12)
    elif plan_type == "medicaid_managed_care":
        hi = min(hi, 64)
        lo = min(lo, hi - 5)
    return lo, hi


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def make_patient(
    fake: Faker, rng: random.Random, *, patient_ages: tuple[int, int], plan_type: str, today: date, state: str
) -> Patient:
    lo, hi = age_range(patient_ages, plan_type)
    age = rng.randint(lo, hi)
    latest = date(today.year - age, today.month, min(today.day, 28))  # the youngest dob of that age
    dob = latest - timedelta(days=rng.randrange(0, 360))
    sexes: list[Literal["F", "M"]] = ["F", "M"]  # the same one draw as choice("FM"): seeds keep their cases
    sex = rng.choice(sexes)
    first = fake.first_name_female() if sex == "F" else fake.first_name_male()
    return Patient(
        first_name=first,
        last_name=fake.last_name(),
        dob=dob,
        sex=sex,
        address=_address(fake, state),
        phone=fictional_phone(rng),
        mrn="MRN" + make_digits(rng, 8),
    )


def make_provider(fake: Faker, rng: random.Random, *, specialty: str, city: str) -> Provider:
    creds = CREDENTIALS.get(specialty, ("MD", "DO"))
    label = specialty_label(specialty).title()
    org = f"{fake.last_name()} {label} Associates" if rng.random() < 0.5 else f"{city} {label} Group"
    return Provider(
        npi=make_npi(rng),
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        credentials=rng.choice(creds),
        specialty=specialty,
        organization=org,
        phone=fictional_phone(rng),
    )


def make_facility(fake: Faker, rng: random.Random, *, place_of_service: str, state: str) -> Facility:
    address = _address(fake, state)
    kind = rng.choice(FACILITY_KINDS.get(place_of_service, ("Medical Center",)))
    return Facility(name=f"{address.city} {kind}", npi=make_npi(rng), address=address)


def author_name(fake: Faker, role: str) -> str:
    return f"{fake.first_name()} {fake.last_name()}, {AUTHOR_ROLES[role]}"


def make_coverage(
    rng: random.Random,
    *,
    payer: str,
    manual: Manual,
    patient: Patient,
    start: date,
    kind: str,
    ordering: Provider,
) -> Coverage:
    """The member-file record. ``kind`` is the archetype's coverage: active, terminated (ended before the
    date of service), wrong_member_id (registration shows a typo) or no_referral (HMO referral missing)."""
    member_id = make_member_id(manual.member_id_format, rng)
    mbi = make_mbi(rng) if manual.plan_type == "medicare_advantage_hmo" else None
    short = manual.name.split()[0]
    plan_name = f"{short} {rng.choice(manual.plan_name_suffixes)}"
    years_back = rng.randint(1, 6) if kind == "terminated" else rng.randint(0, 6)
    month = 1 if years_back == 0 else rng.choice((1, 1, 1, 4, 7, 10))
    effective_from = date(start.year - years_back, month, 1)
    effective_to: date | None = None
    if kind == "terminated":
        effective_to = start.replace(day=1) - timedelta(days=1)  # the last day of the previous month
    elif rng.random() < 0.5:
        effective_to = date(start.year, 12, 31)
    pcp_npi = None
    if manual.referral_required_for_specialists:
        pcp_npi = ordering.npi if ordering.specialty in PRIMARY_CARE else make_npi(rng)
    registration = member_id_typo(member_id, rng) if kind == "wrong_member_id" else member_id
    return Coverage(
        payer_id=payer,
        payer_name=manual.name,
        plan_type=manual.plan_type,
        plan_name=plan_name,
        member_id=member_id,
        group_number=make_digits(rng, manual.group_number_digits) if manual.group_number_digits else None,
        mbi=mbi,
        subscriber_name=patient.name,
        subscriber_dob=patient.dob,
        effective_from=effective_from,
        effective_to=effective_to,
        pcp_npi=pcp_npi,
        referral_on_file=kind != "no_referral",
        member_id_on_registration=registration,
    )
