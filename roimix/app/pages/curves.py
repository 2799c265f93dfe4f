"""Page placeholder."""

import streamlit as st


def render() -> None:
    st.title("curves")


if __name__ == "__main__":
    render()
