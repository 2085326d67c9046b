"""Demo data: ``manage.py seed_data`` (the generator is ``seeding.generate``). The layer above every
app but the project package: it writes all four record types in bulk."""
