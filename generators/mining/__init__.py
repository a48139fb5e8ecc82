"""Mining of parallel content: read corpora, pair articles, extract and score introductions."""
