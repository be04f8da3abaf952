"""Write the JSON Schemas of every contract that crosses a boundary to docs/schemas/.

Run ``python scripts/gen_schemas.py`` after changing a model; ``tests/test_schemas.py`` fails while a
committed schema differs from its model, so docs and code cannot drift apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models import Draft  # noqa: E402
from grading.models import GradeReport  # noqa: E402
from knowledge_base.models import Manual, Policy  # noqa: E402
from scenarios.models import Action, ActionLog, Case  # noqa: E402
from simulator.models import Determination, EligibilityReply, LookupReply  # noqa: E402

SCHEMA_DIR = ROOT / "docs" / "schemas"
CONTRACTS: dict[str, object] = {
    "policy": Policy,
    "manual": Manual,
    "case": Case,
    "action": Action,
    "action_log": ActionLog,
    "eligibility_reply": EligibilityReply,
    "lookup_reply": LookupReply,
    "determination": Determination,
    "grade_report": GradeReport,
    "draft": Draft,
}


def render(name: str) -> str:
    model = CONTRACTS[name]
    schema = (
        model.model_json_schema()
        if isinstance(model, type) and issubclass(model, BaseModel)
        else TypeAdapter(model).json_schema()
    )
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name in CONTRACTS:
        (SCHEMA_DIR / f"{name}.schema.json").write_text(render(name), encoding="utf-8")
    print(f"wrote {len(CONTRACTS)} schemas to {SCHEMA_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
