"""The output writers: what a build publishes besides the pages, and what the pages' heads
carry. Each turns the finished site model (and, for search, the rendered pages' text) into
files: feeds, the sitemap, open data, head metadata, the search index."""
