"""/api/users/: the shop's customers."""
