"""Relations inferred from column names: only names that spell out a table (``<table>_id``,
``<singular>_id``, ``<singular>Id``) give one, to a table whose one-column key fits; generic
names never do, and a name that could mean several tables gives none."""

from __future__ import annotations

import pytest

from schemadoc.model.schema import Schema, Source, SqlStatement
from schemadoc.relations import relate
from schemadoc.verify.verify import verify


def related(*sqls: str) -> Schema:
    statements = [SqlStatement(sql, Source("app/db.py", n + 1, 0)) for n, sql in enumerate(sqls)]
    return relate(verify(statements))


def links(*sqls: str, kind: str = "inferred") -> set[tuple[str, str, str, str]]:
    """(child, child column, parent, parent column) of each relation of that kind."""
    return {
        (r.from_table, ",".join(r.from_columns), r.to_table, ",".join(r.to_columns))
        for r in related(*sqls).relations
        if r.kind == kind
    }


@pytest.mark.parametrize(
    "name", ["guid", "uuid", "key", "name", "hash", "type", "value", "data", "created", "id"]
)
def test_generic_column_never_points_at_the_table_keyed_by_it(name: str) -> None:
    assert (
        links(
            f"CREATE TABLE tombstones ({name} TEXT PRIMARY KEY, removed INTEGER)",
            f"CREATE TABLE items (item INTEGER PRIMARY KEY, {name} TEXT UNIQUE)",
            f"CREATE TABLE notes (note INTEGER PRIMARY KEY, {name} TEXT)",
        )
        == set()
    )


def test_places_like_schema_links_the_id_columns_and_never_guid() -> None:
    found = links(
        "CREATE TABLE moz_favicons (id INTEGER PRIMARY KEY, url TEXT)",
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, guid TEXT UNIQUE, "
        "favicon_id INTEGER)",
        "CREATE TABLE moz_keywords (id INTEGER PRIMARY KEY, keyword TEXT, place_id INTEGER)",
        "CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER, "
        "parent INTEGER, keyword_id INTEGER, guid TEXT UNIQUE)",
        "CREATE TABLE moz_bookmarks_deleted (guid TEXT PRIMARY KEY, removed INTEGER)",
        "CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER, "
        "place_id INTEGER NOT NULL)",
    )
    assert found == {
        ("moz_places", "favicon_id", "moz_favicons", "id"),
        ("moz_keywords", "place_id", "moz_places", "id"),
        ("moz_bookmarks", "keyword_id", "moz_keywords", "id"),
        ("moz_historyvisits", "place_id", "moz_places", "id"),
    }


def test_id_columns_find_their_table_by_singular_or_plural_name() -> None:
    found = links(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY)",
        "CREATE TABLE categories (id INTEGER PRIMARY KEY)",
        "CREATE TABLE person (id INTEGER PRIMARY KEY)",
        "CREATE TABLE executions (execution_id TEXT PRIMARY KEY)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, category_id INTEGER, "
        "person_id INTEGER, execution_id TEXT)",
    )
    assert found == {
        ("orders", "customer_id", "customers", "id"),
        ("orders", "category_id", "categories", "id"),
        ("orders", "person_id", "person", "id"),
        ("orders", "execution_id", "executions", "execution_id"),
    }


def test_camel_case_id_column_finds_its_table() -> None:
    assert links(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customerId INTEGER, valid INTEGER)",
    ) == {("orders", "customerId", "customers", "id")}


def test_id_column_points_at_a_unique_key_of_its_name() -> None:
    assert links(
        "CREATE TABLE accounts (uid INTEGER PRIMARY KEY, account_id TEXT UNIQUE)",
        "CREATE TABLE payments (id INTEGER PRIMARY KEY, account_id TEXT)",
    ) == {("payments", "account_id", "accounts", "account_id")}


def test_id_column_naming_no_table_is_not_matched_by_key_name_alone() -> None:
    assert (
        links(
            "CREATE TABLE devices (serial_id TEXT PRIMARY KEY)",
            "CREATE TABLE readings (id INTEGER PRIMARY KEY, serial_id TEXT)",
        )
        == set()
    )


def test_id_column_whose_table_has_no_fitting_key_gives_none() -> None:
    assert (
        links(
            "CREATE TABLE countries (code TEXT PRIMARY KEY)",
            "CREATE TABLE cities (id INTEGER PRIMARY KEY, country_id TEXT)",
        )
        == set()
    )


def test_prefixed_and_unprefixed_tables_of_one_name_are_ambiguous() -> None:
    assert (
        links(
            "CREATE TABLE places (id INTEGER PRIMARY KEY)",
            "CREATE TABLE moz_places (id INTEGER PRIMARY KEY)",
            "CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER)",
        )
        == set()
    )


def test_singular_and_plural_tables_of_one_name_are_ambiguous() -> None:
    assert (
        links(
            "CREATE TABLE category (id INTEGER PRIMARY KEY)",
            "CREATE TABLE categories (id INTEGER PRIMARY KEY)",
            "CREATE TABLE products (id INTEGER PRIMARY KEY, category_id INTEGER)",
        )
        == set()
    )


def test_prefix_is_dropped_only_within_the_childs_own_prefix() -> None:
    found = links(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY)",
        "CREATE TABLE app_places (id INTEGER PRIMARY KEY)",
        "CREATE TABLE moz_visits (id INTEGER PRIMARY KEY, place_id INTEGER)",
        "CREATE TABLE app_visits (id INTEGER PRIMARY KEY, place_id INTEGER)",
        "CREATE TABLE visits (id INTEGER PRIMARY KEY, place_id INTEGER)",
    )
    assert found == {
        ("moz_visits", "place_id", "moz_places", "id"),
        ("app_visits", "place_id", "app_places", "id"),
    }


def test_declared_foreign_keys_on_generic_columns_are_kept() -> None:
    sqls = (
        "CREATE TABLE tombstones (guid TEXT PRIMARY KEY)",
        "CREATE TABLE items (id INTEGER PRIMARY KEY, guid TEXT REFERENCES tombstones(guid))",
    )
    assert links(*sqls, kind="declared") == {("items", "guid", "tombstones", "guid")}
    assert links(*sqls) == set()


def test_inferred_relations_do_not_depend_on_table_order() -> None:
    sqls = [
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, favicon_id INTEGER)",
        "CREATE TABLE moz_favicons (id INTEGER PRIMARY KEY)",
        "CREATE TABLE moz_keywords (id INTEGER PRIMARY KEY, place_id INTEGER)",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER)",
    ]
    forward = related(*sqls).relations
    assert forward == related(*reversed(sqls)).relations
    assert len(forward) == 3


def test_table_named_by_the_column_wins_over_a_table_keyed_by_the_same_name() -> None:
    assert links(
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        "CREATE TABLE profiles (user_id INTEGER PRIMARY KEY, bio TEXT)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER)",
    ) == {("orders", "user_id", "users", "id")}
