"""/api/feedback/."""
