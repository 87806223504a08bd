"""Engines that run the pipeline past one machine. The embedded engine (:mod:`dedup.pipeline`) is the default;
:mod:`dedup.engines.spark` runs the same pure functions on an Apache Spark cluster."""
