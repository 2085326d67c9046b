"""Files for the app container of the docker compose stack (see docker-compose.yml)."""
