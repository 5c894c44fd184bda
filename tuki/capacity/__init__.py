"""Capacity management: metrics per configuration item, thresholds that open one ticket per
breach, and a forecast of the days until a threshold is reached (docs/operations.md)."""
