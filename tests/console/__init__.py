"""Tests of the Gradio staff console (ui/console*.py)."""
