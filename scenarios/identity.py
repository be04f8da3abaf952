"""Synthetic identifiers: NPIs with a valid check digit, Medicare Beneficiary Identifiers, member ids.

All of them are drawn from a seeded ``random.Random`` so a case regenerates identically. NPIs follow
the CMS Luhn rule with the 80840 prefix; MBIs follow the CMS position pattern (both in docs/sources.md#identifiers).
"""

from __future__ import annotations

import hashlib
import random
import re

from knowledge_base.models import MemberIdFormat

NPI_PREFIX_SUM = 24  # the Luhn contribution of the "80840" prefix, so the sum runs over 9 digits only
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
MBI_PATTERN = re.compile(
    r"^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]"
    r"[AC-HJKMNP-RT-Y]{2}[0-9]{2}$"
)
_DIGITS = "0123456789"


def npi_check_digit(base9: str) -> int:
    """The NPI check digit of a 9-digit base.

    >>> npi_check_digit("123456789")
    3
    """
    if len(base9) != 9 or not base9.isdigit():
        raise ValueError(f"an NPI base must be 9 digits, got {base9!r}")
    total = NPI_PREFIX_SUM
    for i, ch in enumerate(reversed(base9)):
        d = int(ch)
        if i % 2 == 0:  # the rightmost digit of the base, then every other one, is doubled
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """Ten digits, first digit 1 or 2, correct check digit.

    >>> is_valid_npi("1234567893"), is_valid_npi("1234567890")
    (True, False)
    """
    return len(npi) == 10 and npi.isdigit() and npi[0] in "12" and npi_check_digit(npi[:9]) == int(npi[9])


def make_npi(rng: random.Random) -> str:
    base = rng.choice("12") + "".join(rng.choice(_DIGITS) for _ in range(8))
    return base + str(npi_check_digit(base))


def make_mbi(rng: random.Random) -> str:
    """An 11-character MBI: C A AN N A AN N A A N N."""
    alnum = MBI_LETTERS + _DIGITS
    parts = [
        rng.choice("123456789"),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(_DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(_DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(MBI_LETTERS),
        rng.choice(_DIGITS),
        rng.choice(_DIGITS),
    ]
    return "".join(parts)


def make_member_id(member_id_format: MemberIdFormat, rng: random.Random) -> str:
    """A member id in the payer's format (the manual's ``member_id_format``)."""
    prefix, n = member_id_format.prefix, member_id_format.digits
    # an all-digit id never starts with 0 (registration systems drop leading zeros, a bug of its own)
    first = rng.choice("123456789") if not prefix else rng.choice(_DIGITS)
    return prefix + first + "".join(rng.choice(_DIGITS) for _ in range(n - 1))


def member_id_typo(member_id: str, rng: random.Random) -> str:
    """The id with exactly one digit replaced by another, so it still has the payer's format and
    only a member-file check (eligibility) catches it."""
    positions = [i for i, ch in enumerate(member_id) if ch.isdigit() and not (i == 0 and member_id.isdigit())]
    if not positions:
        raise ValueError(f"member id {member_id!r} has no digit to mistype")
    i = rng.choice(positions)
    replacement = rng.choice([d for d in _DIGITS if d != member_id[i]])
    return member_id[:i] + replacement + member_id[i + 1 :]


def make_digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(n))


def fictional_phone(rng: random.Random) -> str:
    """A US number in the 555-0100..0199 block reserved for fiction, so no real line is printed."""
    area = rng.choice(["217", "309", "312", "414", "515", "608", "612", "616", "708", "773", "847", "920"])
    return f"({area}) 555-01{rng.randrange(100):02d}"


def authorization_number(prefix: str, *parts: str) -> str:
    """``prefix`` + 10 digits from a sha256 of the parts (stable for the same case and request).

    The payer (simulator.notices) numbers its approvals with it; it lives here, with the other
    identifiers, so an answer key can name the authorization a case already holds (concurrent review)
    without running the simulator.

    >>> authorization_number("LKS", "m:1", "{}")
    'LKS3558337692'
    >>> authorization_number("LKS", "m:1", "{}") == authorization_number("LKS", "m:1", "{}")
    True
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{prefix}{int(digest[:16], 16) % 10**10:010d}"
