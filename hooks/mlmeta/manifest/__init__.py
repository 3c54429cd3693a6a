"""The model manifest (`models.jsonl`): measurements, enrichment, generation, provenance."""
