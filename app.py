"""roimix Streamlit app: `streamlit run app.py` (or ./run-app). The app itself lives in roimix/app/.

Served as an ``st.App`` so that the server starts checking the bundled sample as it starts
(:mod:`roimix.app.server`); each browser session runs :mod:`roimix.app.script`.
"""

import streamlit as st

from roimix.app.server import SCRIPT, warm_up

app = st.App(SCRIPT, lifespan=warm_up)
