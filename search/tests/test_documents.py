"""The documents built from search.spec: what each type carries, and the fields each backend indexes."""

import pytest

from search import records
from search.backends.embedded import _TYPE_FIELDS, FIELDS
from search.spec import SPECS


@pytest.mark.parametrize("record_type", records.TYPES)
def test_embedded_index_has_every_searched_field_a_document_carries(dataset, record_type):
    searched = {name.replace(".", "_"): name.split(".")[0] for name in records.SEARCH_FIELDS}
    for _, doc in records.documents(record_type):
        carried = {tv for tv, key in searched.items() if doc.get(key) and tv in FIELDS}
        assert carried <= {name for name, _ in _TYPE_FIELDS[record_type]}


def test_sales_carry_product_and_customer_fields(dataset):
    doc = dict(records.documents(records.SALE))[str(dataset.sale_shoes.pk)]
    assert doc["product_name"] == "Trail Running Shoes"
    assert doc["category"] == "Shoes"
    assert doc["customer_city"] == "Berlin"
    assert doc["title"] == f"Sale {dataset.sale_shoes.pk} · Trail Running Shoes"


def test_customer_location_is_a_geo_point(dataset):
    doc = dict(records.documents(records.CUSTOMER))[str(dataset.alice.pk)]
    assert doc["location"] == {"lat": dataset.alice.latitude, "lon": dataset.alice.longitude}


def test_carriers_follow_only_copied_fields():
    assert {rt.name for rt, _ in records.carriers(records.PRODUCT, ["name"])} == {
        records.SALE,
        records.FEEDBACK,
    }
    assert records.carriers(records.PRODUCT, ["price"]) == []
    assert {fk for _, fk in records.carriers(records.CUSTOMER, None)} == {"customer_id"}
    assert records.carriers(records.SALE, None) == []


@pytest.mark.parametrize("record_type", records.TYPES)
def test_documents_and_mapping_have_exactly_the_spec_fields(dataset, record_type):
    names = {f.name for f in SPECS[record_type].fields}
    mapping = records.RECORD_TYPES[record_type].document._doc_type.mapping.to_dict()["properties"]
    assert set(mapping) == names
    built = list(records.documents(record_type))
    assert built and all(set(doc) == names for _, doc in built)


def test_sales_carry_their_customers_location_for_the_map(dataset):
    doc = dict(records.documents(records.SALE))[str(dataset.sale_shoes.pk)]
    buyer = dataset.sale_shoes.customer
    assert doc["customer.location"] == {"lat": buyer.latitude, "lon": buyer.longitude}
    assert {rt.name for rt, _ in records.carriers(records.CUSTOMER, ["latitude"])} == {records.SALE}
