"""Web layer: FastAPI app (API, SSE streaming, widget files, demo page) and the staff console.
The core (bot, guards, knowledge) never imports from here."""
