"""The text at the top of /api/docs/ (drf-spectacular's DESCRIPTION): how to get in and page through."""

API_DESCRIPTION = """
The shop's customers (`/api/users/`), products, sales and feedback, and every dashboard figure
(`/api/analytics/<figure>/`), as JSON or CSV.

## Access
Analysts (the `analysts` group) and staff read; only staff create, change and delete, through the
same validation as the admin. Without credentials every endpoint but this schema answers 401.

* **Programs: a token.** Staff issue one with
  `python manage.py api_token <username>` (prints the key; `--rotate` replaces it, `--revoke`
  deletes it) or in the admin under *Auth Token › Tokens*. Send it on every request:

      curl -H "Authorization: Token <key>" http://127.0.0.1:8000/api/sales/?date_from=2025-01-01

* **Browsers: the session** of the pages' login (`/login/`, or `/api/auth/login/` here).
  Writes from a session need the CSRF token, as in any Django form.

Requests are throttled per token or login (`API_THROTTLE_USER`, default 1200/min) and per
address when anonymous (`API_THROTTLE_ANON`, default 60/min); over the limit is a 429 with
`Retry-After`.

## Lists
* **Ids are strings** on both backends (integers on SQLite, ObjectIds on MongoDB). An unknown or
  malformed id is a 404.
* **Filters** share their names everywhere, pages included: `date_from` / `date_to` (ISO dates,
  inclusive, UTC), `category`, ranges as `<field>_min` / `<field>_max`, `search`, and `ordering`
  (one field, `-` for descending). A bad value — or an unknown parameter — is a 400 naming it.
* **Paging**: customers and products by `page` (with `count`); sales and feedback by cursor:
  follow `next` / `previous` (a page deep in the list costs what the first one does).
  `page_size` defaults to 50 and is capped (`API_MAX_PAGE_SIZE`, default 500).
* **CSV**: add `format=csv` to any list to download *every* matching row (not one page), streamed,
  with the same columns as the JSON rows.
"""
