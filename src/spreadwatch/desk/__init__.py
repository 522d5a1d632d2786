"""The monitoring team's review desk: a local web app over a dataset's workflow outputs.

``spreadwatch serve --dataset NAME`` runs it; ``create_app`` builds the ASGI app; ``db`` is the
SQLite verdict store the ranking stage reads back (``reviews.read_reviews_db``)."""
