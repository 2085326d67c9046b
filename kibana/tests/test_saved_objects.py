"""kibana/saved_objects.ndjson, checked offline against the search documents it reads.

No Kibana runs here: the file is parsed and its Lens layers, map layers, dashboard panels and controls
are compared with what Kibana's import needs (ids, references inside the file) and with the mappings
the search documents (``search.documents``, built from ``search.spec``) give the indices.
Every field an object uses is one parametrized case of ``test_field_exists_with_a_fitting_type``, so a
field the mapping lacks fails under its own name (``<object>:<index>:<field>``).
"""

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
NDJSON = ROOT / "kibana" / "saved_objects.ndjson"
COMPOSE = ROOT / "docker-compose.yml"
# The index prefix the data view titles are written for (kibana_import puts another one in its place).
NDJSON_PREFIX = "ecommerce"
ID_PREFIX = "ecommerce-analytics-"
GRID_COLUMNS = 48
RECORDS = "___records___"  # Lens's "count of documents" pseudo-field

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
DATES = {"date", "date_nanos"}
KEYWORDS = {"keyword", "constant_keyword"}
AGGREGATABLE = NUMERIC | DATES | KEYWORDS | {"boolean", "ip"}
GEO_POINT = {"geo_point"}
# Anything Elasticsearch keeps in _source can be shown in a tooltip.
ANY = None
# What each Lens operation or map metric needs of its field.
OPERATION_TYPES = {
    "date_histogram": DATES,
    "terms": KEYWORDS,
    "average": NUMERIC,
    "avg": NUMERIC,
    "sum": NUMERIC,
    "min": NUMERIC,
    "max": NUMERIC,
    "median": NUMERIC,
}
MAP_SOURCES_WITH_DATA_VIEW = {"ES_SEARCH", "ES_GEO_GRID", "ES_GEO_LINE", "ES_PEW_PEW"}


# --- Loading ---------------------------------------------------------------------------------------


@cache
def saved_objects() -> list[dict]:
    lines = NDJSON.read_text().splitlines()
    assert lines, "kibana/saved_objects.ndjson is empty"
    objects = []
    for number, line in enumerate(lines, 1):
        assert line.strip(), f"line {number} is blank (NDJSON: one object a line)"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {number} is not an object"
        for key, kind in (("id", str), ("type", str), ("attributes", dict), ("references", list)):
            assert isinstance(obj.get(key), kind), f"line {number} has no {key} ({kind.__name__})"
        objects.append(obj)
    return objects


def by_type(kind: str) -> list[dict]:
    return [obj for obj in saved_objects() if obj["type"] == kind]


def by_id(object_id: str) -> dict:
    (obj,) = [obj for obj in saved_objects() if obj["id"] == object_id]
    return obj


def references(obj: dict) -> dict[str, dict]:
    return {ref["name"]: ref for ref in obj["references"]}


def index_of(view_id: str) -> str:
    """The index suffix (``sales``) a data view reads."""
    return by_id(view_id)["attributes"]["title"].removeprefix(f"{NDJSON_PREFIX}-")


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def query_fields(query: str) -> list[str]:
    """Field names in a KQL or Lucene query (``status:completed`` → ``status``)."""
    return re.findall(r"([A-Za-z_][\w.]*)\s*:", query)


@cache
def document_mappings() -> dict[str, dict[str, str]]:
    """``{suffix after the index prefix: {field path: Elasticsearch type}}`` for every search document."""
    from django_elasticsearch_dsl.registries import registry

    documents = registry.get_documents()
    assert documents, (
        "No django-elasticsearch-dsl documents are registered: search.documents "
        "(accounts, catalog, sales, feedback) define the indices the Kibana data views read."
    )
    prefix = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-"
    mappings = {}
    for document in documents:
        name = document._index._name
        assert name.startswith(prefix), f"{document.__name__} writes to {name!r}, outside the {prefix!r} prefix"
        mappings[name.removeprefix(prefix)] = dict(_fields(document._doc_type.mapping.to_dict()["properties"]))
    return mappings


def _fields(properties: dict, parent: str = ""):
    for name, spec in properties.items():
        path = f"{parent}{name}"
        yield path, spec.get("type", "object")
        for sub, sub_spec in spec.get("fields", {}).items():
            yield f"{path}.{sub}", sub_spec["type"]
        yield from _fields(spec.get("properties", {}), f"{path}.")


def lens_layers(obj: dict) -> dict[str, dict]:
    return obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]


def lens_layer_view(obj: dict, layer_id: str) -> str:
    return references(obj)[f"indexpattern-datasource-layer-{layer_id}"]["id"]


def map_layers(obj: dict) -> list[dict]:
    return json.loads(obj["attributes"]["layerListJSON"])


def map_layer_view(obj: dict, layer: dict) -> str:
    return references(obj)[layer["sourceDescriptor"]["indexPatternRefName"]]["id"]


def control_panels(dashboard: dict) -> dict[str, dict]:
    return json.loads(dashboard["attributes"]["controlGroupInput"]["panelsJSON"])


# --- Every field an object uses: (object id, data view id, field, allowed types or ANY, what) -------


def field_uses():
    for view in by_type("index-pattern"):
        attrs = view["attributes"]
        if "timeFieldName" in attrs:
            yield view["id"], view["id"], attrs["timeFieldName"], DATES, "time field"
        for field in json.loads(attrs.get("fieldFormatMap") or "{}"):
            yield view["id"], view["id"], field, NUMERIC, "number format"
    for obj in by_type("lens"):
        for layer_id, layer in lens_layers(obj).items():
            view = lens_layer_view(obj, layer_id)
            for column_id, column in layer["columns"].items():
                operation = column["operationType"]
                if operation == "count":
                    continue
                what = f"{operation} ({layer_id}.{column_id})"
                yield obj["id"], view, column["sourceField"], OPERATION_TYPES[operation], what
                for field in query_fields(column.get("filter", {}).get("query", "")):
                    yield obj["id"], view, field, AGGREGATABLE, f"filter of {layer_id}.{column_id}"
    for obj in by_type("map"):
        for layer in map_layers(obj):
            source = layer["sourceDescriptor"]
            if source["type"] not in MAP_SOURCES_WITH_DATA_VIEW:
                continue
            view = map_layer_view(obj, layer)
            yield obj["id"], view, source["geoField"], GEO_POINT, f"geo field of layer {layer['id']}"
            for metric in source.get("metrics", []):
                if metric["type"] != "count":
                    yield obj["id"], view, metric["field"], OPERATION_TYPES[metric["type"]], f"{metric['type']} metric"
            for field in source.get("tooltipProperties", []):
                yield obj["id"], view, field, ANY, f"tooltip of layer {layer['id']}"
            if source.get("sortField"):
                yield obj["id"], view, source["sortField"], AGGREGATABLE, f"sort of layer {layer['id']}"
            for field in query_fields(layer.get("query", {}).get("query", "")):
                yield obj["id"], view, field, AGGREGATABLE, f"query of layer {layer['id']}"
    for dashboard in by_type("dashboard"):
        refs = references(dashboard)
        for control_id, control in control_panels(dashboard).items():
            view = refs[f"controlGroup_{control_id}:optionsListDataView"]["id"]
            yield dashboard["id"], view, control["explicitInput"]["fieldName"], KEYWORDS, f"control {control_id}"


FIELD_USES = list(field_uses())


def test_field_uses_cover_every_kind_of_object():
    kinds = {by_id(object_id)["type"] for object_id, *_ in FIELD_USES}
    assert kinds == {"index-pattern", "lens", "map", "dashboard"}


@pytest.mark.parametrize(
    "object_id, view_id, field, allowed, what",
    FIELD_USES,
    ids=[f"{o.removeprefix(ID_PREFIX)}:{index_of(v)}:{f}" for o, v, f, _, _ in FIELD_USES],
)
def test_field_exists_with_a_fitting_type(object_id, view_id, field, allowed, what):
    index = index_of(view_id)
    fields = document_mappings()[index]
    assert field in fields, (
        f"{object_id} ({what}) uses {field!r}, which the {index} mapping lacks; it has {sorted(fields)}"
    )
    if allowed is not ANY:
        assert fields[field] in allowed, (
            f"{object_id} ({what}) needs {field!r} in {index} to be one of {sorted(allowed)}, "
            f"not {fields[field]!r}"
        )


# --- The file as a whole ---------------------------------------------------------------------------


def test_the_file_is_what_the_builder_writes():
    result = subprocess.run(
        [sys.executable, "-m", "kibana.build_saved_objects", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_ids_are_fixed_and_unique():
    ids = [obj["id"] for obj in saved_objects()]
    assert len(ids) == len(set(ids)), "two objects share an id"
    for object_id in ids:
        assert re.fullmatch(rf"{ID_PREFIX}[a-z0-9-]+", object_id), object_id
    assert {obj["type"] for obj in saved_objects()} == {"index-pattern", "lens", "map", "dashboard"}


def test_every_object_says_which_format_it_is_in():
    kibana = version(yaml.safe_load(COMPOSE.read_text())["services"]["kibana"]["image"].rsplit(":", 1)[1])
    for obj in saved_objects():
        # Without these Kibana takes an object for its own version and skips the migrations.
        assert version(obj["coreMigrationVersion"]) <= kibana, obj["id"]
        assert version(obj["typeMigrationVersion"]) <= kibana, obj["id"]


def test_every_reference_resolves_inside_the_file():
    present = {(obj["type"], obj["id"]) for obj in saved_objects()}
    for obj in saved_objects():
        names = [ref["name"] for ref in obj["references"]]
        assert len(names) == len(set(names)), f"{obj['id']} names a reference twice"
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, f"{obj['id']} refers to missing {ref['type']} {ref['id']}"


# --- Data views ------------------------------------------------------------------------------------


def test_data_views_read_the_documents_aliases():
    mappings = document_mappings()
    suffixes = []
    for view in by_type("index-pattern"):
        title = view["attributes"]["title"]
        assert title.startswith(f"{NDJSON_PREFIX}-"), title
        assert index_of(view["id"]) in mappings, f"data view {title!r} names no alias; documents define {sorted(mappings)}"
        # kibana_import rewrites the index name wherever it appears in the title and name.
        assert title in view["attributes"]["name"], view["id"]
        suffixes.append(index_of(view["id"]))
    assert sorted(suffixes) == sorted(mappings), "every search index should have exactly one data view"
    times = {index_of(v["id"]): v["attributes"].get("timeFieldName") for v in by_type("index-pattern")}
    assert times == {"sales": "sold_at", "feedback": "created_at", "customers": "joined_at", "products": None}


# --- Lens ------------------------------------------------------------------------------------------


def test_lens_layers_read_a_data_view_through_their_references():
    for obj in by_type("lens"):
        state = obj["attributes"]["state"]
        assert set(state["datasourceStates"]) == {"formBased"}, obj["id"]
        refs = references(obj)
        assert refs["indexpattern-datasource-current-indexpattern"]["type"] == "index-pattern"
        layers = lens_layers(obj)
        assert layers, obj["id"]
        for layer_id, layer in layers.items():
            ref = refs.get(f"indexpattern-datasource-layer-{layer_id}")
            assert ref and ref["type"] == "index-pattern", (obj["id"], layer_id)
            assert layer["columnOrder"] == list(layer["columns"]), (obj["id"], layer_id)
        layer_refs = {name for name in refs if name.startswith("indexpattern-datasource-layer-")}
        assert layer_refs == {f"indexpattern-datasource-layer-{layer_id}" for layer_id in layers}, obj["id"]
        for field in query_fields(state["query"]["query"]):
            for layer_id in layers:
                assert field in document_mappings()[index_of(lens_layer_view(obj, layer_id))], (obj["id"], field)


def test_lens_columns_are_well_formed():
    for obj in by_type("lens"):
        for layer_id, layer in lens_layers(obj).items():
            columns = layer["columns"]
            for column_id, column in columns.items():
                where = (obj["id"], layer_id, column_id)
                operation = column["operationType"]
                assert operation == "count" or operation in OPERATION_TYPES, where
                assert column["isBucketed"] == (operation in {"date_histogram", "terms"}), where
                if operation == "count":
                    assert column["sourceField"] == RECORDS, where
                expected = {"date_histogram": "date", "terms": "string"}.get(operation, "number")
                assert column["dataType"] == expected, where
                if operation == "terms":
                    order = column["params"]["orderBy"]
                    if order["type"] == "column":
                        assert order["columnId"] in columns and not columns[order["columnId"]]["isBucketed"], where
                    else:
                        assert order["type"] == "alphabetical", where


def test_lens_visualisations_show_the_columns_of_their_layers():
    for obj in by_type("lens"):
        vis = obj["attributes"]["state"]["visualization"]
        layers = lens_layers(obj)
        kind = obj["attributes"]["visualizationType"]
        if kind == "lnsMetric":
            columns = layers[vis["layerId"]]["columns"]
            assert not columns[vis["metricAccessor"]]["isBucketed"], obj["id"]
            continue
        assert kind == "lnsXY", obj["id"]
        shown = set()
        for vis_layer in vis["layers"]:
            assert vis_layer["layerType"] == "data", obj["id"]
            columns = layers[vis_layer["layerId"]]["columns"]
            assert columns[vis_layer["xAccessor"]]["isBucketed"], obj["id"]
            for accessor in vis_layer["accessors"]:
                assert not columns[accessor]["isBucketed"], (obj["id"], accessor)
            for config in vis_layer.get("yConfig", []):
                assert config["forAccessor"] in vis_layer["accessors"] and config["axisMode"] in {"left", "right"}
            used = {vis_layer["xAccessor"], *vis_layer["accessors"], vis_layer.get("splitAccessor")} - {None}
            assert used == set(columns), f"{obj['id']}: layer {vis_layer['layerId']} leaves columns unused"
            shown.add(vis_layer["layerId"])
        assert shown == set(layers), obj["id"]


def test_sales_figures_count_completed_sales_only():
    """Revenue, orders and units: the app counts completed sales only, and so does every chart."""
    for obj in by_type("lens"):
        for layer_id, layer in lens_layers(obj).items():
            if index_of(lens_layer_view(obj, layer_id)) != "sales":
                continue
            for column_id, column in layer["columns"].items():
                if column["isBucketed"]:
                    continue
                assert column.get("filter") == {"query": "status:completed", "language": "kuery"}, (
                    obj["id"], column_id,
                )
    for obj in by_type("map"):
        for layer in map_layers(obj):
            if layer["sourceDescriptor"].get("metrics") and index_of(map_layer_view(obj, layer)) == "sales":
                assert layer["query"] == {"query": "status:completed", "language": "kuery"}, layer["id"]


def test_the_report_charts_are_all_there():
    titles = {obj["attributes"]["title"] for obj in by_type("lens") + by_type("map")}
    assert titles == {
        "Customer join dates over time",
        "Products per category",
        "Price range per category",
        "Sales over time",
        "Top-selling products",
        "Average rating per product",
        "Feedback count over time",
        "Average rating over time",
        "Customer locations",
        "Sales quantity against rating over time",
        "Revenue",
        "Orders",
        "Average order value",
    }
    price = next(obj for obj in by_type("lens") if obj["attributes"]["title"] == "Price range per category")
    (layer,) = lens_layers(price).values()
    operations = {c["operationType"]: c.get("sourceField") for c in layer["columns"].values()}
    assert operations == {"terms": "category", "min": "price", "average": "price", "max": "price"}
    mixed = next(o for o in by_type("lens") if o["attributes"]["title"] == "Sales quantity against rating over time")
    assert sorted(index_of(lens_layer_view(mixed, layer_id)) for layer_id in lens_layers(mixed)) == [
        "feedback",
        "sales",
    ]


# --- Map -------------------------------------------------------------------------------------------


def test_map_layers_read_data_views_through_their_references():
    (map_obj,) = by_type("map")
    attrs = map_obj["attributes"]
    json.loads(attrs["mapStateJSON"])
    json.loads(attrs["uiStateJSON"])
    layers = map_layers(map_obj)
    assert len({layer["id"] for layer in layers}) == len(layers)
    used = set()
    for number, layer in enumerate(layers):
        source = layer["sourceDescriptor"]
        assert layer["type"] in {"EMS_VECTOR_TILE", "GEOJSON_VECTOR", "MVT_VECTOR", "HEATMAP"}, layer["id"]
        if source["type"] not in MAP_SOURCES_WITH_DATA_VIEW:
            assert "indexPatternRefName" not in source
            continue
        # Kibana names them by the layer's position when it extracts the references.
        assert source["indexPatternRefName"] == f"layer_{number}_source_index_pattern", layer["id"]
        assert references(map_obj)[source["indexPatternRefName"]]["type"] == "index-pattern"
        used.add(source["indexPatternRefName"])
        metric_fields = {"doc_count"} | {
            f"{m['type']}_of_{m['field']}" for m in source.get("metrics", []) if m["type"] != "count"
        }
        for name, prop in layer["style"].get("properties", {}).items():
            if prop.get("type") == "DYNAMIC":
                field = prop["options"]["field"]
                assert field["origin"] == "source" and field["name"] in metric_fields, (layer["id"], name)
    assert used == set(references(map_obj)), "a map reference no layer uses"
    views = {index_of(map_layer_view(map_obj, layer)) for layer in layers if "indexPatternRefName" in layer["sourceDescriptor"]}
    assert "customers" in views


# --- Dashboard -------------------------------------------------------------------------------------


def test_dashboard_panels_point_at_every_chart_and_fit_the_grid():
    (dashboard,) = by_type("dashboard")
    attrs = dashboard["attributes"]
    assert attrs["title"] == "E-commerce analytics"
    assert attrs["timeRestore"] is True and attrs["timeFrom"].startswith("now-")
    panels = json.loads(attrs["panelsJSON"])
    refs = references(dashboard)
    shown, cells = [], set()
    for panel in panels:
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"]
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        shown.append((ref["type"], ref["id"]))
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= GRID_COLUMNS and grid["h"] > 0
        area = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not area & cells, f"panel {panel['panelIndex']} overlaps another"
        cells |= area
    charts = [(obj["type"], obj["id"]) for obj in saved_objects() if obj["type"] in {"lens", "map"}]
    assert sorted(shown) == sorted(charts), "every chart once, nothing else"
    panel_refs = {name for name in refs if not name.startswith("controlGroup_")}
    assert len(panel_refs) == len(panels)


def test_dashboard_controls_filter_by_category_and_channel():
    (dashboard,) = by_type("dashboard")
    group = dashboard["attributes"]["controlGroupInput"]
    json.loads(group["ignoreParentSettingsJSON"])
    controls = control_panels(dashboard)
    refs = references(dashboard)
    fields = set()
    for control_id, control in controls.items():
        assert control["type"] == "optionsListControl"
        assert control["explicitInput"]["id"] == control_id
        assert refs[f"controlGroup_{control_id}:optionsListDataView"]["type"] == "index-pattern"
        fields.add(control["explicitInput"]["fieldName"])
    assert fields == {"category", "channel"}
    assert sorted(c["order"] for c in controls.values()) == list(range(len(controls)))
    control_refs = {name for name in refs if name.startswith("controlGroup_")}
    assert control_refs == {f"controlGroup_{c}:optionsListDataView" for c in controls}
