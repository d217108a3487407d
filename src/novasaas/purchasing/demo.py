"""Demo data of Purchasing (written after the views; placeholder replaced below)."""
