"""mlmeta: schema validation and pre-commit hooks for ML model and dataset metadata."""

__version__ = "0.1.0"
