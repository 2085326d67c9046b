"""What every /api/ endpoint shares: ids as strings, access rules, paging, CSV export, error shapes."""
