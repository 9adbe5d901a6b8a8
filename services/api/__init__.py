"""The HTTP API (`newswire serve`): query and export stored events, watch them live, and the events page."""
