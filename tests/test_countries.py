"""Every country the seeder writes (and every country the map draws) is in the country table, and
each table entry names a shape that the vendored world-atlas map really has."""

import json
from pathlib import Path

from django.conf import settings

from analytics.figures.countries import COUNTRIES, atlas_key, country_name
from seeding.generate.pools import build_pools

ATLAS = Path(settings.BASE_DIR) / "static/vendor/world-atlas-2.0.2/countries-110m.json"
# Too small for the 1:110m map: their customers show as city points only.
NO_SHAPE = {"AD", "GD", "HK", "MQ", "MT", "RE"}


def atlas_features() -> dict[str, str]:
    """feature key (numeric id, else the name) → the atlas's name for it."""
    geometries = json.loads(ATLAS.read_text())["objects"]["countries"]["geometries"]
    return {g.get("id") or g["properties"]["name"]: g["properties"]["name"] for g in geometries}


def test_every_seeded_country_maps_to_a_shape_or_is_known_to_have_none():
    seeded = {place.country for place in build_pools(0).places}
    assert len(seeded) > 100
    assert seeded <= set(COUNTRIES)
    features = atlas_features()
    unmapped = {code for code in seeded if atlas_key(code) not in features}
    assert unmapped == NO_SHAPE
    assert atlas_key("PT") == "620" and features["620"] == "Portugal"
    assert atlas_key("XK") == "Kosovo" and atlas_key("US") == "840"


def test_every_table_key_is_a_feature_and_every_named_country_has_an_entry():
    features = atlas_features()
    for code, (key, name) in COUNTRIES.items():
        assert key is None or key in features, code
        assert name and name == country_name(code)
    mapped = {key for key, _ in COUNTRIES.values()}
    # The atlas's shapes that are not countries in ISO 3166 (nobody lives there in our data).
    assert set(features) - mapped == {"N. Cyprus", "Somaliland"}
    assert country_name("ZZ") == "ZZ" and atlas_key("ZZ") is None
