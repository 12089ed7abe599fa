"""Brand knowledge base: parse brand folders, embed, store in Chroma, retrieve for a brief."""
