"""Realistic, repeatable demo data for the four record types (used by ``manage.py seed_data``).

Faker fills small pools (names, streets, brands); numpy, seeded from --seed, generates the rows
in vectorised chunks; dates derive from --until only. See ``run.seed_records``.
"""

from .options import SIZES, SeedError, SeedOptionError, SeedPlan, build_plan
from .records import tables_with_records
from .run import no_progress, seed_records

__all__ = ["SIZES", "SeedError", "SeedOptionError", "SeedPlan", "build_plan", "no_progress", "seed_records",
           "tables_with_records"]
