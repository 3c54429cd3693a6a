"""The floor for cases 1 and 2: read, parse (orjson) and validate (jsonschema-rs), nothing else."""
import sys

import jsonschema_rs
import orjson

with open(sys.argv[1], "rb") as handle:
    validator = jsonschema_rs.validator_for(orjson.loads(handle.read()), validate_formats=True)
failed = False
for name in sys.argv[2:]:
    with open(name, "rb") as handle:
        for error in validator.iter_errors(orjson.loads(handle.read())):
            failed = True
            print(f"{name}: {error.message}")
sys.exit(1 if failed else 0)
