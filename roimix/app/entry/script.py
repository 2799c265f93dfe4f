"""The app's page script: Streamlit runs it once per browser session (``app.py`` serves it). It sits in a folder
of its own: beside a ``pages/`` folder Streamlit would also register those files as pages of their own."""

from roimix.app.main import main

main(__file__)
