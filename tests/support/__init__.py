"""Helpers shared by the test modules: streams, kernels, browsers, waiting for conditions."""
