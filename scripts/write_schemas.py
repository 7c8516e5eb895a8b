"""Write the JSON Schemas of the policy data files into src/highnorth/schemas/."""

import json
from pathlib import Path

from highnorth.rules.loading.schema import json_schemas

OUT = Path(__file__).resolve().parents[1] / "src" / "highnorth" / "schemas"

for name, doc in json_schemas().items():
    path = OUT / f"{name}.schema.json"
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
