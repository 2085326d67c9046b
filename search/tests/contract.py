"""The behaviour every search backend shares (like wagtail's BackendTests).

Subclasses provide a ``backend`` fixture; each test runs the same query against it and expects the
same hits. Records come from the ``dataset`` fixture (search/tests/conftest.py).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.services import customer_update
from catalog.services import product_create, product_update
from feedback.services import feedback_delete
from search import records, sync
from search.backends import SearchQuery
from search.backends.base import NEWEST, PRICE, PRICE_DESC
from search.models import PendingUpdate


def keys(results) -> set[tuple[str, str]]:
    return {(hit.type, hit.id) for hit in results.hits}


def all_of(backend, **kwargs):
    return backend.search(SearchQuery(page_size=100, **kwargs))


class BackendContract:
    @pytest.fixture
    def indexed(self, backend, dataset):
        backend.rebuild()
        return dataset

    # --- Matching and ranking ------------------------------------------------------------------

    def test_one_box_finds_every_record_type_carrying_a_word(self, backend, indexed):
        results = all_of(backend, text="espresso")
        d = indexed
        assert keys(results) == d.keys(d.espresso, d.sale_espresso, d.fb_espresso)
        assert results.count == 3
        # BM25: the short product title outranks the sale and feedback titles that repeat it.
        assert (results.hits[0].type, results.hits[0].id) == d.key(d.espresso)

    def test_every_word_must_match_somewhere(self, backend, indexed):
        d = indexed
        # "lisbon" is only on Alice's records (customer_city) and the thriller's description.
        assert keys(all_of(backend, text="espresso lisbon")) == d.keys(d.sale_espresso, d.fb_espresso)
        assert keys(all_of(backend, text="lisbon")) == d.keys(
            d.alice, d.thriller, d.sale_espresso, d.fb_espresso
        )

    def test_searches_brand_sku_email_category_and_comment(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="fleetfoot")) == d.keys(d.shoes)
        assert keys(all_of(backend, text="SKU-100003")) == d.keys(d.headphones)
        assert keys(all_of(backend, text="keller")) == d.keys(d.bruno, d.sale_shoes, d.fb_shoes)
        assert keys(all_of(backend, text="electronics", types=("product",))) == d.keys(d.headphones)
        assert keys(all_of(backend, text="crema")) == d.keys(d.fb_espresso)

    def test_email_and_punctuated_words_split_into_words(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="bruno@example.com")) == d.keys(d.bruno)
        assert keys(all_of(backend, text="example", types=("customer",))) == d.keys(
            d.alice, d.bruno, d.chiara
        )

    def test_accents_and_case_do_not_matter(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="ESPRÉSSO")) == d.keys(d.espresso, d.sale_espresso, d.fb_espresso)

    def test_one_typo_allowed_in_words_of_four_to_seven_letters(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="crmea")) == d.keys(d.fb_espresso)  # transposition
        assert keys(all_of(backend, text="sonqiue")) == d.keys(d.headphones)
        assert keys(all_of(backend, text="crame")).isdisjoint(d.keys(d.fb_espresso))  # two edits: too many

    def test_two_typos_allowed_from_eight_letters(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="capucino")) == d.keys(d.espresso)
        assert keys(all_of(backend, text="hedphnes")) == d.keys(
            d.headphones, d.sale_headphones, d.fb_headphones
        )

    def test_no_typos_in_short_words(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="bar")) == d.keys(d.espresso)
        assert all_of(backend, text="car").count == 0

    def test_query_syntax_is_plain_text(self, backend, indexed):
        d = indexed
        for q in [
            '"espresso',
            "espresso:",
            "(espresso]",
            "espresso*",
            "espresso (",
            "{espresso}",
            "espresso~",
            "espresso^",
            "+espresso -",
            "espresso\\",
            "espresso/",
        ]:
            assert keys(all_of(backend, text=q)) == d.keys(d.espresso, d.sale_espresso, d.fb_espresso), q

    def test_operators_are_words_not_syntax(self, backend, indexed):
        assert all_of(backend, text="espresso AND").count == 0  # no record has the word "and"
        assert all_of(backend, text="espresso OR shoes").count == 0

    def test_text_without_words_matches_nothing(self, backend, indexed):
        for q in ["***", '"', ":", "()[]{}", "\\"]:
            assert all_of(backend, text=q).count == 0, q

    def test_empty_text_browses_everything(self, backend, indexed):
        assert all_of(backend, text="").count == 13

    # --- Highlighting ---------------------------------------------------------------------------

    def test_highlights_matches_in_mark(self, backend, indexed):
        hits = {(h.type, h.id): h for h in all_of(backend, text="espresso").hits}
        product = hits[indexed.key(indexed.espresso)]
        assert "<mark>Espresso</mark>" in product.snippets["title"]
        feedback = {(h.type, h.id): h for h in all_of(backend, text="crema").hits}[
            indexed.key(indexed.fb_espresso)
        ]
        assert "<mark>crema</mark>" in feedback.snippets["comment"]

    def test_highlights_typo_matches(self, backend, indexed):
        hit = all_of(backend, text="fleetfot").hits[0]
        assert "<mark>Fleetfoot</mark>" in hit.snippets["brand"]

    def test_snippets_escape_html(self, backend, indexed):
        hit = all_of(backend, text="battery").hits[0]
        snippet = hit.snippets["description"]
        assert "<mark>battery</mark>" in snippet
        assert "&lt;b&gt;" in snippet and "<b>" not in snippet

    # --- Filters and facets ----------------------------------------------------------------------

    def test_type_filter(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, text="lisbon", types=("customer",))) == d.keys(d.alice)
        assert keys(all_of(backend, types=("sale", "feedback"), text="shoes")) == d.keys(
            d.sale_shoes, d.fb_shoes
        )

    def test_category_filter(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, category="Shoes")) == d.keys(d.shoes, d.sale_shoes, d.fb_shoes)
        assert all_of(backend, category="shoes").count == 0  # exact category names

    def test_rating_range(self, backend, indexed):
        d = indexed
        assert keys(all_of(backend, rating_min=4)) == d.keys(d.fb_espresso, d.fb_headphones)
        assert keys(all_of(backend, rating_max=2)) == d.keys(d.fb_shoes)
        assert keys(all_of(backend, rating_min=3, rating_max=4)) == d.keys(d.fb_headphones)

    def test_price_range(self, backend, indexed):
        d = indexed
        found = all_of(backend, price_min=Decimal("100"), price_max=Decimal("249.00"))
        assert keys(found) == d.keys(d.espresso, d.headphones, d.sale_espresso, d.sale_headphones)
        assert keys(all_of(backend, price_max=Decimal("12.50"))) == d.keys(d.thriller)

    def test_date_range_is_inclusive_days(self, backend, indexed):
        d = indexed
        found = all_of(backend, date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 28))
        # fb_shoes is at 23:30 on the 28th: still inside the last day.
        assert keys(found) == d.keys(d.sale_shoes, d.fb_shoes)
        assert keys(all_of(backend, date_to=dt.date(2023, 1, 1))) == d.keys(d.thriller)

    def test_date_range_open_at_either_end(self, backend, indexed):
        d = indexed
        found = all_of(backend, date_from=dt.date(2025, 3, 1))
        assert keys(found) == d.keys(d.sale_headphones, d.fb_headphones)
        assert keys(all_of(backend, date_to=dt.date(2022, 12, 31))) == d.keys(d.thriller)

    def test_records_dated_out_of_the_window_are_indexed_and_found_by_their_words(self, backend, dataset):
        from accounts.models import Customer
        from sales.models import Sale

        d = dataset
        Customer.objects.filter(pk=d.alice.pk).update(joined_at=dt.datetime(100, 1, 1, tzinfo=dt.UTC))
        Sale.objects.filter(pk=d.sale_shoes.pk).update(sold_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC))
        counts = backend.rebuild()
        assert counts[records.CUSTOMER] == 3 and counts[records.SALE] == 3
        assert d.key(d.alice) in keys(all_of(backend, text="alice"))
        assert d.key(d.sale_shoes) in keys(all_of(backend, text="trail", types=(records.SALE,)))
        assert keys(all_of(backend, date_from=dt.date(2025, 3, 1))) >= d.keys(d.sale_headphones)

    def test_facet_counts(self, backend, indexed):
        facets = all_of(backend).facets
        assert facets["type"] == {"product": 4, "customer": 3, "feedback": 3, "sale": 3}
        assert facets["category"] == {"Electronics": 3, "Home & Kitchen": 3, "Shoes": 3, "Books": 1}
        assert facets["rating"] == {2: 1, 4: 1, 5: 1}
        narrowed = all_of(backend, text="espresso").facets
        assert narrowed["type"] == {"feedback": 1, "product": 1, "sale": 1}
        assert narrowed["rating"] == {5: 1}

    # --- Sorting and paging ----------------------------------------------------------------------

    def test_sort_newest(self, backend, indexed):
        dates = [h.date for h in all_of(backend, sort=NEWEST).hits]
        assert len(dates) == 13 and dates == sorted(dates, reverse=True)
        assert dates[0] == dt.datetime(2025, 3, 30, 18, tzinfo=dt.timezone.utc)

    def test_sort_price_puts_records_without_a_price_last(self, backend, indexed):
        hits = all_of(backend, sort=PRICE).hits
        prices = [h.price for h in hits]
        assert prices[:7] == sorted(prices[:7]) and prices[0] == 12.5
        assert prices[7:] == [None] * 6
        desc = [h.price for h in all_of(backend, sort=PRICE_DESC).hits]
        assert desc[:7] == sorted(desc[:7], reverse=True) and desc[7:] == [None] * 6

    def test_paging(self, backend, indexed):
        pages = [backend.search(SearchQuery(sort=NEWEST, page=p, page_size=5)) for p in (1, 2, 3)]
        assert [len(p.hits) for p in pages] == [5, 5, 3]
        assert all(p.count == 13 for p in pages)
        assert [p.has_next for p in pages] == [True, True, False]
        seen = [(h.type, h.id) for p in pages for h in p.hits]
        assert len(set(seen)) == 13

    # --- Autocomplete ----------------------------------------------------------------------------

    def test_autocomplete_prefix_of_last_word(self, backend, indexed):
        d = indexed
        assert [(s.type, s.id) for s in backend.autocomplete("espr")] == [d.key(d.espresso)]
        assert [(s.type, s.id) for s in backend.autocomplete("noise canc")] == [d.key(d.headphones)]
        assert [(s.type, s.id) for s in backend.autocomplete("noize canc")] == [d.key(d.headphones)]
        suggestion = backend.autocomplete("ali")[0]
        assert suggestion.text == "Alice Moreau" and "<mark>Alice</mark>" in suggestion.html

    def test_autocomplete_types(self, backend, indexed):
        d = indexed
        found = {(s.type, s.id) for s in backend.autocomplete("espresso", types=("sale", "feedback"))}
        assert found == d.keys(d.sale_espresso, d.fb_espresso)
        assert backend.autocomplete("***") == []

    # --- Index management ------------------------------------------------------------------------

    def test_exists_create_drop(self, backend, db):
        assert not backend.exists()
        backend.create()
        assert backend.exists()
        assert all_of(backend).count == 0
        backend.drop()
        assert not backend.exists()

    def test_rebuild_replaces_stale_documents(self, backend, indexed):
        d = indexed
        backend.delete("product", [str(d.thriller.pk)])
        backend.index(
            "product",
            [("999999", {"type": "product", "title": "Ghost Product", "date": d.thriller.created_at})],
        )
        assert all_of(backend, text="ghost").count == 1
        counts = backend.rebuild()
        assert counts == {"customer": 3, "product": 4, "sale": 3, "feedback": 3}
        assert all_of(backend, text="ghost").count == 0
        assert keys(all_of(backend, text="thriller")) == d.keys(d.thriller)

    def test_rebuild_of_one_type(self, backend, indexed):
        d = indexed
        backend.delete("customer", [str(d.alice.pk)])
        assert backend.rebuild(types=["customer"]) == {"customer": 3}
        assert all_of(backend).count == 13

    def test_search_index_command(self, backend, indexed, capsys):
        backend.drop()
        call_command("search_index", "--rebuild", "--if-missing", "-f")
        assert backend.exists() and all_of(backend).count == 13
        backend.delete("product", [str(indexed.thriller.pk)])
        call_command("search_index", "--rebuild", "--if-missing", "-f")  # exists: left alone
        assert all_of(backend).count == 12
        call_command("search_index", "--populate", "--models", "catalog.Product")
        assert all_of(backend).count == 13
        call_command("search_index", "--delete", "-f")
        assert not backend.exists()
        call_command("search_index", "--create")
        assert backend.exists() and all_of(backend).count == 0

    # --- Staying in sync -------------------------------------------------------------------------

    def test_create_rename_delete_are_reflected(self, backend, indexed, django_capture_on_commit_callbacks):
        d = indexed
        with django_capture_on_commit_callbacks(execute=True):
            kettle = product_create(
                sku="SKU-200001", name="Gooseneck Kettle", category="Home & Kitchen", price=Decimal("59.00")
            )
        assert keys(all_of(backend, text="gooseneck")) == d.keys(kettle)

        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=d.espresso, data={"name": "Barista Station"})
        assert keys(all_of(backend, text="barista")) == d.keys(d.espresso, d.sale_espresso, d.fb_espresso)
        assert all_of(backend, text="espresso").count == 0

        with django_capture_on_commit_callbacks(execute=True):
            customer_update(customer=d.bruno, data={"city": "Hamburg"})
        assert keys(all_of(backend, text="hamburg")) == d.keys(d.bruno, d.sale_shoes, d.fb_shoes)

        with django_capture_on_commit_callbacks(execute=True):
            feedback_delete(feedback=d.fb_shoes)
        assert keys(all_of(backend, text="hamburg")) == d.keys(d.bruno, d.sale_shoes)

    def test_price_change_does_not_touch_sales(self, backend, indexed, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=indexed.espresso, data={"price": Decimal("239.00")})
        hits = {(h.type, h.id): h for h in all_of(backend, text="espresso").hits}
        assert hits[indexed.key(indexed.espresso)].price == 239.0
        assert hits[indexed.key(indexed.sale_espresso)].price == 249.0  # price at the time of sale

    def test_engine_down_save_succeeds_then_pending_is_applied(
        self, backend, indexed, outage, django_capture_on_commit_callbacks
    ):
        d = indexed
        with outage():
            with django_capture_on_commit_callbacks(execute=True):
                product_update(product=d.shoes, data={"name": "Summit Hiking Boots"})
            assert PendingUpdate.objects.filter(
                record_type=records.PRODUCT, record_id=str(d.shoes.pk), cascade=True
            ).exists()
        assert all_of(backend, text="summit").count == 0
        call_command("search_index", "--drain")
        assert keys(all_of(backend, text="summit")) == d.keys(d.shoes, d.sale_shoes, d.fb_shoes)
        assert sync.pending_count() == 0

    def test_next_successful_update_retries_pending(
        self, backend, indexed, outage, django_capture_on_commit_callbacks
    ):
        d = indexed
        with outage():
            with django_capture_on_commit_callbacks(execute=True):
                customer_update(customer=d.chiara, data={"city": "Kyoto"})
        assert sync.pending_count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=d.thriller, data={"brand": "Inkwell"})
        assert sync.pending_count() == 0
        assert keys(all_of(backend, text="kyoto")) == d.keys(d.chiara, d.sale_headphones, d.fb_headphones)
        assert keys(all_of(backend, text="inkwell")) == d.keys(d.thriller)

    def test_search_while_engine_down_is_unavailable(self, backend, indexed, outage):
        from search.backends import SearchUnavailable

        with outage(reads=True), pytest.raises(SearchUnavailable):
            backend.search(SearchQuery(text="espresso"))
