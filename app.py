"""roimix Streamlit app (entry point). Opens on the bundled sample market in data/sample."""

from pathlib import Path

import pandas as pd
import streamlit as st

SAMPLE = Path(__file__).parent / "data" / "sample"

st.set_page_config(page_title="roimix", layout="wide")
st.title("roimix · 增量归因与预算优化 / incremental attribution & budget plans")
spend = pd.read_csv(SAMPLE / "spend.csv")
conversions = pd.read_parquet(SAMPLE / "conversions.parquet")
st.caption(f"{len(conversions):,} orders · {spend.channel.nunique()} paid channels · {spend.date.min()} – {spend.date.max()}")
st.line_chart(spend.groupby(["date", "channel"]).spend.sum().unstack())
st.dataframe(pd.read_csv(SAMPLE / "channels.csv"))
