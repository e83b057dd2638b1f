"""Wrist-sensor machine learning: import, windowing, classification, sets and reps."""
