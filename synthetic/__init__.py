"""Synthetic region generator for rsoko.

ALL DATA PRODUCED BY THIS PACKAGE ARE SYNTHETIC. No real pupil, school or municipality is
described: names are invented («МБОУ СОШ № 12 г. Синтетический-1»), identifiers are random, and
results are drawn from a statistical model. The files follow `shared/contract/inputs.md` to the
letter so that the ingestion, the dbt models and the report can be developed and tested on them.

Public API:
    generate_region(inbox, truth_dir, *, seed=2025, scale="demo", years=(2023, 2024, 2025), plant=True)
    inject_defects(inbox, truth_dir, *, seed=7)

`synthetic.oracle` holds a small reference implementation of the objectivity markers used to
check the planted ground truth.
"""
from .defects import inject_defects
from .generate import generate_region

__all__ = ["generate_region", "inject_defects"]
