"""Chroma: embedded (PersistentClient) by default, a Chroma server (HttpClient) when a host is set."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from copilot.errors import ConfigError, KnowledgeBaseError
from copilot.settings import Settings

COLLECTION_PREFIX = "brand_"


def collection_name(brand: str) -> str:
    """One collection per brand; Chroma names allow [a-zA-Z0-9._-], 3-512 chars."""
    safe = re.sub(r"[^a-zA-Z0-9_-]", "_", brand)
    return f"{COLLECTION_PREFIX}{safe}"


def get_client(settings: Settings) -> Any:
    """The Chroma client for these settings, created once per process per location."""
    if settings.chroma_host:
        return _http_client(settings.chroma_host, settings.chroma_port)
    return _persistent_client(str(settings.chroma_path.expanduser().resolve()))


@cache
def _persistent_client(path: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))


@cache
def _http_client(host: str, port: int) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        return chromadb.HttpClient(
            host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False)
        )
    except Exception as exc:  # noqa: BLE001 - chromadb raises several transport errors here
        raise ConfigError(
            f"chroma_host: cannot reach a Chroma server at {host}:{port} ({exc.__class__.__name__}); "
            "start it with `chroma run --host 127.0.0.1 --port PORT` or unset COPILOT_CHROMA_HOST"
        ) from None


def get_collection(settings: Settings, brand: str, create: bool = True) -> Any:
    """The brand's collection; with create=False a missing one is a clear error."""
    client = get_client(settings)
    name = collection_name(brand)
    if create:
        return client.get_or_create_collection(
            name=name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
    existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    if name not in existing:
        raise KnowledgeBaseError(
            f"brand {brand!r} has not been ingested; run `copilot kb ingest "
            f"{settings.kb_dir / brand}`"
        )
    return client.get_collection(name=name, embedding_function=None)


def list_brands(settings: Settings) -> list[str]:
    """Brands that have a collection in the store."""
    client = get_client(settings)
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    return sorted(n[len(COLLECTION_PREFIX) :] for n in names if n.startswith(COLLECTION_PREFIX))
