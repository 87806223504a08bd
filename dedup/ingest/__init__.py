"""Reading inputs: decoding files, JSONL and stdin into documents, and the worker pool that accounts for every path."""
