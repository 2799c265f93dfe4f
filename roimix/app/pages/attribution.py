"""Page placeholder."""

import streamlit as st


def render() -> None:
    st.title("attribution")


if __name__ == "__main__":
    render()
