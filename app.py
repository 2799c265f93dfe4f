"""roimix Streamlit app: `streamlit run app.py` (or ./run-app). The app itself lives in roimix/app/."""

from roimix.app.main import main

main(__file__)
