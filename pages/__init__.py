"""The analyst's record pages: each combines a domain app's table with its figures, and the product and
customer pages combine the sales and feedback tables. The layer above the domain apps and analytics."""
