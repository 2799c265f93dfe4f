"""The Streamlit app: pages over the attribution and optimizer engines, bilingual, state kept across pages.

``app.py`` at the repository root is the entry; :func:`roimix.app.main.main` draws the frame.
"""
