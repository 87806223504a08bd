"""The persistent SQLite index of a corpus: documents, postings and stored forms."""
