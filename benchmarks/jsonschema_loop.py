"""Plain python-jsonschema in a loop, as a hand-written test does it: json.loads and validate each row."""
import json
import sys

import jsonschema

with open(sys.argv[1], encoding="utf-8") as handle:
    schema = json.load(handle)
cls = jsonschema.validators.validator_for(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)  # built once, formats checked as mlmeta does
failed = False
with open(sys.argv[2], encoding="utf-8") as handle:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            for error in validator.iter_errors(json.loads(line)):
                failed = True
                print(f"{sys.argv[2]}:{number}: {error.message}")
sys.exit(1 if failed else 0)
