"""CPT/HCPCS codes the simulated payer recognises although no payer policy governs them.

The same codes as ``simulator.codes.KNOWN_CODES`` (a test keeps the two equal), repeated here because
scenarios sits below the simulator and may not import it. Content validation uses them: an archetype's
order may carry such a code next to the governed ones, but a code in neither list would be rejected by
the payer's front-end edits as unknown.
"""

from __future__ import annotations

KNOWN_CODES: frozenset[str] = frozenset({
    "20610", "29881", "62321", "62323", "64483", "67900", "71045", "71046", "72040", "72050", "72100",
    "72110", "73560", "73562", "73564", "73565", "76536", "80053", "80305", "85025", "85652", "86140",
    "86200", "86431", "86480", "86580", "87340", "88305", "90791", "90834", "90837", "92081", "92082",
    "92083", "92285", "93000", "95806", "95810", "95811", "95886", "95907", "96365", "96372", "96413",
    "97110", "97140", "97161", "97162", "97163", "97530", "97542", "97750", "99202", "99203", "99204",
    "99205", "99212", "99213", "99214", "99215", "99242", "99243", "99244", "A7030", "A7034", "A7035",
    "A7037", "E0100", "E0105", "E0130", "E0143", "E0562", "E0570", "G0399", "H0001", "H0004", "H0005",
    "J1100", "J3301", "J8610", "K0001", "K0003",
})
