"""/api/products/."""
