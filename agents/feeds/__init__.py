"""The feeds service's pure logic: sources file, feed and sitemap parsing, the polite HTTP
fetcher, the seen-URL store and the poller. No module here imports faust or kafka; the CLI glue
(``streams/feeds_cli.py``) wires them to a sink and to the metrics."""
