"""The floor: read, parse (orjson) and validate (jsonschema-rs), nothing else.

Cases 1 and 2 give it model files (one document each); case 3 a JSON Lines file (one per row).
"""
import sys

import jsonschema_rs
import orjson

with open(sys.argv[1], "rb") as handle:
    validator = jsonschema_rs.validator_for(orjson.loads(handle.read()), validate_formats=True)
failed = False
for name in sys.argv[2:]:
    with open(name, "rb") as handle:
        documents = (line for line in handle if line.strip()) if name.endswith(".jsonl") else [handle.read()]
        for document in documents:
            for error in validator.iter_errors(orjson.loads(document)):
                failed = True
                print(f"{name}: {error.message}")
sys.exit(1 if failed else 0)
