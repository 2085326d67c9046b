"""Writes kibana/saved_objects.ndjson: the data views, Lens charts, map and dashboard Kibana imports.

    python -m kibana.build_saved_objects          # rewrites the file
    python -m kibana.build_saved_objects --check  # exits 1 when the file is not what this writes

Kibana's own sample data (the eCommerce data set of the home plugin, and its map in the maps plugin)
stores these shapes: by-reference ``lens`` objects whose ``state.datasourceStates.formBased`` layers
name their data view through ``indexpattern-datasource-layer-<layer id>`` references, a ``map``
whose ``layerListJSON`` layers name theirs through ``layer_<n>_source_index_pattern``, and a
``dashboard`` whose panels point at them through ``<panel>:panel_<panel>`` references and whose
``controlGroupInput`` holds options-list controls (``controlGroup_<id>:optionsListDataView``).
Each object carries the migration version of the format it is written in, so a newer Kibana
migrates it on import (and an older one than that refuses it rather than misreading it).

Data view titles use the default index prefix ``ecommerce``; ``manage.py kibana_import`` puts
ELASTICSEARCH_INDEX_PREFIX in its place. Everything here is plain data: no Django, no app imports.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "saved_objects.ndjson"
PREFIX = "ecommerce"
ID = "ecommerce-analytics"

CORE_MIGRATION = "8.8.0"
# The newest migration of each type whose format these objects are written in.
TYPE_MIGRATION = {
    "index-pattern": "7.11.0",
    "lens": "8.9.0",
    "map": "8.4.0",
    "dashboard": "8.7.0",
}
PANEL_VERSION = "8.9.0"
# Revenue, orders, units: completed sales only (as the app's own figures count them).
COMPLETED = {"query": "status:completed", "language": "kuery"}
MONEY = {"id": "number", "params": {"decimals": 2}}

# --- Data views ------------------------------------------------------------------------------------

DATA_VIEWS = {
    # key: (index suffix, display name, time field, fields shown as money)
    "sales": ("sales", "E-commerce sales", "sold_at", ("total", "unit_price", "price")),
    "feedback": ("feedback", "E-commerce feedback", "created_at", ()),
    "customers": ("customers", "E-commerce customers", "joined_at", ()),
    # Products have no time field: the catalogue charts show every product whatever the time picker says.
    "products": ("products", "E-commerce products", None, ("price",)),
}


def compact(value) -> str:
    """JSON as Kibana writes it: no spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def data_view_id(key: str) -> str:
    return f"{ID}-{key}"


def data_view(key: str) -> dict:
    suffix, name, time_field, money = DATA_VIEWS[key]
    index = f"{PREFIX}-{suffix}"
    attributes = {
        "title": index,
        "name": f"{name} ({index})",
        "fieldAttrs": "{}",
        "fieldFormatMap": compact({field: {"id": "number", "params": {"pattern": "0,0.00"}} for field in money}),
        "fields": "[]",
        "runtimeFieldMap": "{}",
        "typeMeta": "{}",
    }
    if time_field:
        attributes["timeFieldName"] = time_field
    return saved_object("index-pattern", data_view_id(key), attributes, [])


# --- Lens columns ----------------------------------------------------------------------------------


def date_histogram(field: str, label: str) -> dict:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "date",
        "operationType": "date_histogram",
        "sourceField": field,
        "isBucketed": True,
        "scale": "interval",
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def terms(field: str, label: str, *, size: int, order_by: str | None) -> dict:
    order = {"type": "column", "columnId": order_by} if order_by else {"type": "alphabetical", "fallback": True}
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
        "operationType": "terms",
        "sourceField": field,
        "isBucketed": True,
        "scale": "ordinal",
        "params": {
            "size": size,
            "orderBy": order,
            "orderDirection": "desc" if order_by else "asc",
            "otherBucket": False,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
        },
    }


def metric(operation: str, field: str | None, label: str, *, completed=False, money=False) -> dict:
    """``count`` (of documents), or ``sum``/``average``/``min``/``max`` of a numeric field."""
    column = {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": operation,
        "sourceField": field if operation != "count" else "___records___",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"emptyAsNull": True, **({"format": MONEY} if money else {})},
    }
    if completed:
        column["filter"] = dict(COMPLETED)
    return column


# --- Lens visualisations ---------------------------------------------------------------------------


def layer(key: str, columns: dict[str, dict]) -> dict:
    """One formBased layer reading data view ``key``: ``{"data_view", "columns"}`` (ordered)."""
    return {"data_view": key, "columns": columns}


def lens(slug: str, title: str, description: str, vis_type: str, layers: dict[str, dict], visualization: dict):
    references = [
        {"type": "index-pattern", "id": data_view_id(next(iter(layers.values()))["data_view"]),
         "name": "indexpattern-datasource-current-indexpattern"},
    ]
    form_based = {}
    for layer_id, spec in layers.items():
        references.append(
            {"type": "index-pattern", "id": data_view_id(spec["data_view"]),
             "name": f"indexpattern-datasource-layer-{layer_id}"}
        )
        form_based[layer_id] = {
            "columns": spec["columns"],
            "columnOrder": list(spec["columns"]),
            "incompleteColumns": {},
        }
    attributes = {
        "title": title,
        "description": description,
        "visualizationType": vis_type,
        "state": {
            "datasourceStates": {"formBased": {"layers": form_based}},
            "visualization": visualization,
            "query": {"query": "", "language": "kuery"},
            "filters": [],
            "internalReferences": [],
            "adHocDataViews": {},
        },
    }
    return saved_object("lens", f"{ID}-lens-{slug}", attributes, references)


def xy(layers: list[dict], *, series: str, legend: bool = True) -> dict:
    return {
        "legend": {"isVisible": legend, "position": "right"},
        "valueLabels": "hide",
        "fittingFunction": "None",
        "preferredSeriesType": series,
        "axisTitlesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "tickLabelsVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "gridlinesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "yLeftExtent": {"mode": "full"},
        "yRightExtent": {"mode": "full"},
        "layers": layers,
    }


def xy_layer(layer_id: str, *, series: str, x: str, y: dict[str, str]) -> dict:
    """An XY data layer: ``x`` the bucket column, ``y`` each metric column to its axis (left/right)."""
    return {
        "layerId": layer_id,
        "layerType": "data",
        "seriesType": series,
        "xAccessor": x,
        "accessors": list(y),
        "yConfig": [{"forAccessor": column, "axisMode": axis} for column, axis in y.items()],
    }


def metric_vis(layer_id: str, column: str) -> dict:
    return {"layerId": layer_id, "layerType": "data", "metricAccessor": column}


def one_metric(slug, title, description, key, column):
    return lens(slug, title, description, "lnsMetric", {"layer": layer(key, {"value": column})},
                metric_vis("layer", "value"))


def over_time(slug, title, description, key, time_field, columns: dict[str, dict], *, series="line", axes=None):
    axes = axes or {name: "left" for name in columns}
    return lens(
        slug, title, description, "lnsXY",
        {"layer": layer(key, {"date": date_histogram(time_field, "Date"), **columns})},
        xy([xy_layer("layer", series=series, x="date", y=axes)], series=series, legend=len(columns) > 1),
    )


def per_term(slug, title, description, key, field, label, columns: dict[str, dict], *, size, order_by, series):
    return lens(
        slug, title, description, "lnsXY",
        {"layer": layer(key, {"term": terms(field, label, size=size, order_by=order_by), **columns})},
        xy([xy_layer("layer", series=series, x="term", y={name: "left" for name in columns})],
           series=series, legend=len(columns) > 1),
    )


def lenses() -> list[dict]:
    quantity_rating = lens(
        "quantity-vs-rating",
        "Sales quantity against rating over time",
        "Units sold (completed sales, left axis) and the average feedback rating (right axis) per interval.",
        "lnsXY",
        {
            "sales": layer("sales", {
                "date": date_histogram("sold_at", "Date"),
                "units": metric("sum", "quantity", "Units sold", completed=True),
            }),
            "feedback": layer("feedback", {
                "date": date_histogram("created_at", "Date"),
                "rating": metric("average", "rating", "Average rating"),
            }),
        },
        xy(
            [
                xy_layer("sales", series="bar", x="date", y={"units": "left"}),
                xy_layer("feedback", series="line", x="date", y={"rating": "right"}),
            ],
            series="bar",
        ),
    )
    return [
        one_metric("revenue", "Revenue", "Sum of completed sales' totals.", "sales",
                   metric("sum", "total", "Revenue", completed=True, money=True)),
        one_metric("orders", "Orders", "Number of completed sales.", "sales",
                   metric("count", None, "Orders", completed=True)),
        one_metric("average-order-value", "Average order value", "Mean total of a completed sale.", "sales",
                   metric("average", "total", "Average order value", completed=True, money=True)),
        over_time("customer-joins", "Customer join dates over time", "New customers per interval.",
                  "customers", "joined_at", {"count": metric("count", None, "Customers joined")}, series="bar"),
        per_term("products-per-category", "Products per category", "Number of products in each category.",
                 "products", "category", "Category", {"count": metric("count", None, "Products")},
                 size=50, order_by="count", series="bar_horizontal"),
        per_term("price-range-per-category", "Price range per category",
                 "Lowest, average and highest product price in each category.",
                 "products", "category", "Category",
                 {
                     "min": metric("min", "price", "Lowest price", money=True),
                     "avg": metric("average", "price", "Average price", money=True),
                     "max": metric("max", "price", "Highest price", money=True),
                 },
                 size=50, order_by=None, series="bar"),
        over_time("sales-over-time", "Sales over time",
                  "Revenue (left axis) and orders (right axis) of completed sales per interval.",
                  "sales", "sold_at",
                  {
                      "revenue": metric("sum", "total", "Revenue", completed=True, money=True),
                      "orders": metric("count", None, "Orders", completed=True),
                  },
                  axes={"revenue": "left", "orders": "right"}),
        per_term("top-selling-products", "Top-selling products", "The 10 products with the most units sold.",
                 "sales", "product_name.raw", "Product",
                 {"units": metric("sum", "quantity", "Units sold", completed=True)},
                 size=10, order_by="units", series="bar_horizontal"),
        per_term("average-rating-per-product", "Average rating per product",
                 "The 20 products with the highest average feedback rating.",
                 "feedback", "product_name.raw", "Product",
                 {"rating": metric("average", "rating", "Average rating")},
                 size=20, order_by="rating", series="bar_horizontal"),
        over_time("feedback-over-time", "Feedback count over time", "Feedback received per interval.",
                  "feedback", "created_at", {"count": metric("count", None, "Feedback")}, series="bar"),
        over_time("rating-over-time", "Average rating over time", "Mean feedback rating per interval.",
                  "feedback", "created_at", {"rating": metric("average", "rating", "Average rating")}),
        quantity_rating,
    ]


# --- Map -------------------------------------------------------------------------------------------


def static(**options) -> dict:
    return {"type": "STATIC", "options": options}


def map_layers() -> list[dict]:
    """Layer n reads the data view referenced as ``layer_<n>_source_index_pattern``."""
    basemap = {
        "id": "basemap",
        "label": None,
        "type": "EMS_VECTOR_TILE",
        "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True, "lightModeDefault": "road_map_desaturated"},
        "style": {"type": "EMS_VECTOR_TILE", "color": ""},
        "visible": True,
        "alpha": 1,
        "minZoom": 0,
        "maxZoom": 24,
        "includeInFitToBounds": True,
    }
    customers = {
        "id": "customers",
        "label": "Customers",
        "type": "GEOJSON_VECTOR",
        "sourceDescriptor": {
            "type": "ES_SEARCH",
            "id": "customers-source",
            "indexPatternRefName": "layer_1_source_index_pattern",
            "geoField": "location",
            "scalingType": "LIMIT",
            "filterByMapBounds": True,
            "tooltipProperties": ["name", "city", "country", "joined_at"],
            "sortField": "joined_at",
            "sortOrder": "desc",
            "topHitsSplitField": "",
            "topHitsSize": 1,
            "applyGlobalQuery": True,
            "applyGlobalTime": True,
            "applyForceRefresh": True,
        },
        "style": {
            "type": "VECTOR",
            "isTimeAware": True,
            "properties": {
                "symbolizeAs": {"options": {"value": "circle"}},
                "fillColor": static(color="#54B399"),
                "lineColor": static(color="#FFFFFF"),
                "lineWidth": static(size=1),
                "iconSize": static(size=5),
            },
        },
        "visible": True,
        "alpha": 0.8,
        "minZoom": 0,
        "maxZoom": 24,
        "includeInFitToBounds": True,
        "joins": [],
    }
    revenue_field = {"name": "sum_of_total", "origin": "source"}
    sales = {
        "id": "sales",
        "label": "Revenue by customer location",
        "type": "GEOJSON_VECTOR",
        "query": dict(COMPLETED),
        "sourceDescriptor": {
            "type": "ES_GEO_GRID",
            "id": "sales-source",
            "indexPatternRefName": "layer_2_source_index_pattern",
            "geoField": "customer.location",
            "requestType": "point",
            "resolution": "COARSE",
            "metrics": [{"type": "count", "label": "Orders"}, {"type": "sum", "field": "total", "label": "Revenue"}],
            "applyGlobalQuery": True,
            "applyGlobalTime": True,
            "applyForceRefresh": True,
        },
        "style": {
            "type": "VECTOR",
            "isTimeAware": True,
            "properties": {
                "fillColor": {
                    "type": "DYNAMIC",
                    "options": {"field": revenue_field, "color": "Blues",
                                "fieldMetaOptions": {"isEnabled": True, "sigma": 3}},
                },
                "lineColor": static(color="#FFFFFF"),
                "lineWidth": static(size=1),
                "iconSize": {
                    "type": "DYNAMIC",
                    "options": {"field": revenue_field, "minSize": 4, "maxSize": 24,
                                "fieldMetaOptions": {"isEnabled": True, "sigma": 3}},
                },
            },
        },
        "visible": True,
        "alpha": 0.75,
        "minZoom": 0,
        "maxZoom": 24,
        "includeInFitToBounds": True,
        "joins": [],
    }
    return [basemap, customers, sales]


def map_object() -> dict:
    references = [
        {"name": "layer_1_source_index_pattern", "type": "index-pattern", "id": data_view_id("customers")},
        {"name": "layer_2_source_index_pattern", "type": "index-pattern", "id": data_view_id("sales")},
    ]
    attributes = {
        "title": "Customer locations",
        "description": "Each customer at their location, and completed sales' revenue by the buyer's location.",
        "mapStateJSON": compact({
            "zoom": 1.6,
            "center": {"lon": 0, "lat": 25},
            "timeFilters": {"from": "now-3y", "to": "now"},
            "refreshConfig": {"isPaused": True, "interval": 0},
            "query": {"query": "", "language": "kuery"},
            "filters": [],
            "settings": {"autoFitToDataBounds": False},
        }),
        "layerListJSON": compact(map_layers()),
        "uiStateJSON": compact({"isLayerTOCOpen": True, "openTOCDetails": []}),
    }
    return saved_object("map", f"{ID}-map-customers", attributes, references)


# --- Dashboard -------------------------------------------------------------------------------------

# (panel id, saved object, x, y, w, h): a 48-column grid.
LAYOUT = [
    ("revenue", "lens-revenue", 0, 0, 16, 6),
    ("orders", "lens-orders", 16, 0, 16, 6),
    ("average-order-value", "lens-average-order-value", 32, 0, 16, 6),
    ("sales-over-time", "lens-sales-over-time", 0, 6, 24, 13),
    ("top-selling-products", "lens-top-selling-products", 24, 6, 24, 13),
    ("quantity-vs-rating", "lens-quantity-vs-rating", 0, 19, 24, 13),
    ("customer-locations", "map-customers", 24, 19, 24, 13),
    ("feedback-over-time", "lens-feedback-over-time", 0, 32, 24, 12),
    ("rating-over-time", "lens-rating-over-time", 24, 32, 24, 12),
    ("average-rating-per-product", "lens-average-rating-per-product", 0, 44, 24, 14),
    ("customer-joins", "lens-customer-joins", 24, 44, 24, 14),
    ("products-per-category", "lens-products-per-category", 0, 58, 24, 13),
    ("price-range-per-category", "lens-price-range-per-category", 24, 58, 24, 13),
]
# (control id, data view, field, title)
CONTROLS = [
    ("control-category", "sales", "category", "Category"),
    ("control-channel", "sales", "channel", "Channel"),
]


def dashboard(objects: list[dict]) -> dict:
    types = {obj["id"]: obj["type"] for obj in objects}
    panels, references = [], []
    for panel, target, x, y, w, h in LAYOUT:
        object_id = f"{ID}-{target}"
        config = {"enhancements": {}}
        if types[object_id] == "map":
            config.update({"isLayerTOCOpen": True, "hiddenLayers": [], "openTOCDetails": [],
                           "mapCenter": {"lat": 25, "lon": 0, "zoom": 1.6}})
        panels.append({
            "version": PANEL_VERSION,
            "type": types[object_id],
            "gridData": {"x": x, "y": y, "w": w, "h": h, "i": panel},
            "panelIndex": panel,
            "embeddableConfig": config,
            "panelRefName": f"panel_{panel}",
        })
        references.append({"name": f"{panel}:panel_{panel}", "type": types[object_id], "id": object_id})
    controls = {}
    for order, (control, key, field, title) in enumerate(CONTROLS):
        controls[control] = {
            "order": order,
            "width": "medium",
            "grow": True,
            "type": "optionsListControl",
            "explicitInput": {"id": control, "fieldName": field, "title": title, "enhancements": {}},
        }
        references.append(
            {"name": f"controlGroup_{control}:optionsListDataView", "type": "index-pattern", "id": data_view_id(key)}
        )
    attributes = {
        "title": "E-commerce analytics",
        "description": "Every chart of the app's report on the search indices: sales, products, feedback, customers.",
        "panelsJSON": compact(panels),
        "optionsJSON": compact({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "controlGroupInput": {
            "controlStyle": "oneLine",
            "chainingSystem": "HIERARCHICAL",
            "panelsJSON": compact(controls),
            "ignoreParentSettingsJSON": compact({"ignoreFilters": False, "ignoreQuery": False,
                                                    "ignoreTimerange": False, "ignoreValidations": False}),
        },
        "timeRestore": True,
        "timeFrom": "now-3y",
        "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 60000},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": compact({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})},
    }
    return saved_object("dashboard", f"{ID}-dashboard", attributes, references)


# --- The file --------------------------------------------------------------------------------------


def saved_object(kind: str, object_id: str, attributes: dict, references: list[dict]) -> dict:
    return {
        "id": object_id,
        "type": kind,
        "attributes": attributes,
        "references": references,
        "coreMigrationVersion": CORE_MIGRATION,
        "typeMigrationVersion": TYPE_MIGRATION[kind],
    }


def saved_objects() -> list[dict]:
    objects = [data_view(key) for key in DATA_VIEWS] + lenses() + [map_object()]
    return objects + [dashboard(objects)]


def ndjson() -> str:
    return "".join(compact(obj) + "\n" for obj in saved_objects())


def main(argv: list[str]) -> int:
    text = ndjson()
    if argv[1:] == ["--check"]:
        if OUT.read_text() != text:
            print(f"{OUT.name} is out of date: run python -m kibana.build_saved_objects", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"Wrote {len(text.splitlines())} saved objects to {OUT.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
