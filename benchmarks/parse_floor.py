"""The parse-only floor for case 3: read a JSON Lines file and parse every row, nothing else."""
import sys

try:  # the fastest JSON parser installed
    from orjson import loads
except ImportError:
    from json import loads

with open(sys.argv[1], "rb") as handle:
    for line in handle:
        if line.strip():
            loads(line)
