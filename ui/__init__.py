"""The Streamlit app's pages and shell (layer 5): thin pages that read input, call one core function
and render. Shared pieces: ``ui.state`` (the signed-in user), ``ui.resources`` (settings, database),
``ui.feedback`` (core errors as messages), ``ui.navigation`` (the page registry)."""
