"""/api/sales/."""
